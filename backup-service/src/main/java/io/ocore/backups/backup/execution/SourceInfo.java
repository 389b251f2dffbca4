package io.ocore.backups.backup.execution;

import io.ocore.backups.backup.environment.Environment;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/** What the manifest records about the source: PostgreSQL's version and, if it says, Odoo's. */
record SourceInfo(String postgresVersion, String odooVersion) {

    static SourceInfo read(Environment env, String password) throws IOException {
        Properties p = new Properties();
        p.setProperty("user", env.dbUser);
        p.setProperty("password", password == null ? "" : password);
        p.setProperty("connectTimeout", "15");
        p.setProperty("ApplicationName", "ocore-backup");
        String url = "jdbc:postgresql://" + (env.dbHost.contains(":") ? "[" + env.dbHost + "]" : env.dbHost) + ":"
                + env.dbPort + "/" + env.dbName;
        try (Connection c = DriverManager.getConnection(url, p); Statement st = c.createStatement()) {
            String pg;
            try (ResultSet rs = st.executeQuery("show server_version")) {
                rs.next();
                pg = rs.getString(1);
            }
            String odoo = null;
            try (ResultSet rs = st.executeQuery("select latest_version from ir_module_module where name = 'base'")) {
                if (rs.next()) {
                    odoo = rs.getString(1);
                }
            } catch (SQLException notOdoo) {
                // no module table: not (yet) an Odoo database
            }
            return new SourceInfo(pg, odoo);
        } catch (SQLException e) {
            throw new IOException("could not connect to the environment's database " + env.dbName + " on "
                    + env.dbHost + ":" + env.dbPort + ": " + e.getMessage());
        }
    }
}
