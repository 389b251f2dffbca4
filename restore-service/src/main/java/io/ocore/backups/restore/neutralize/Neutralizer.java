package io.ocore.backups.restore.neutralize;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes an Odoo database safe to run beside production (docs/neutralization.md), on the tables
 * that exist, in one transaction: outgoing and incoming mail servers off, scheduled actions off
 * (except Odoo's own autovacuum), payment providers and shipping connectors out of production,
 * IAP tokens disabled, {@code database.is_neutralized = true}. Mirrors what Odoo's own
 * {@code neutralize} does for its core modules.
 */
public final class Neutralizer {

    private Neutralizer() {
    }

    /** Neutralizes the database behind {@code c}; answers one line per change, for the operation log. */
    public static List<String> neutralize(Connection c) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        List<String> done = new ArrayList<>();
        try {
            if (table(c, "ir_mail_server") && column(c, "ir_mail_server", "active")) {
                done.add(count(c, "update ir_mail_server set active = false where active is distinct from false",
                        "outgoing mail servers deactivated"));
            }
            if (table(c, "fetchmail_server") && column(c, "fetchmail_server", "active")) {
                done.add(count(c, "update fetchmail_server set active = false where active is distinct from false",
                        "incoming mail servers deactivated"));
            }
            if (table(c, "ir_cron") && column(c, "ir_cron", "active")) {
                String keep;
                if (table(c, "ir_model_data")) {
                    keep = "id not in (select res_id from ir_model_data where model = 'ir.cron' and module = 'base'"
                            + " and name = 'autovacuum_job')";
                } else if (column(c, "ir_cron", "cron_name")) {
                    keep = "coalesce(cron_name::text, '') not like '%Auto-vacuum internal data%'";
                } else {
                    keep = "true";
                }
                done.add(count(c, "update ir_cron set active = false where active is distinct from false and " + keep,
                        "scheduled actions deactivated (the autovacuum job stays active)"));
            }
            for (String provider : List.of("payment_provider", "payment_acquirer")) {
                if (table(c, provider) && column(c, provider, "state")) {
                    done.add(count(c, "update " + provider + " set state = 'disabled' where state not in ('test', 'disabled')",
                            provider + " rows in production disabled"));
                }
            }
            if (table(c, "delivery_carrier") && column(c, "delivery_carrier", "prod_environment")) {
                done.add(count(c, "update delivery_carrier set prod_environment = false, active = false"
                        + " where prod_environment", "shipping connectors taken out of production"));
            }
            if (table(c, "iap_account") && column(c, "iap_account", "account_token")) {
                done.add(count(c, "update iap_account set account_token = account_token || '+disabled'"
                        + " where account_token not like '%+disabled'", "IAP accounts disabled"));
            }
            if (table(c, "ir_config_parameter")) {
                int n;
                try (Statement st = c.createStatement()) {
                    n = st.executeUpdate("update ir_config_parameter set value = 'true'"
                            + " where key = 'database.is_neutralized'");
                    if (n == 0) {
                        st.executeUpdate("insert into ir_config_parameter (key, value) values ('database.is_neutralized', 'true')");
                    }
                }
                done.add("database.is_neutralized = true");
            }
            c.commit();
            return done;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    private static String count(Connection c, String sql, String what) throws SQLException {
        try (Statement st = c.createStatement()) {
            return st.executeUpdate(sql) + " " + what;
        }
    }

    static boolean table(Connection c, String table) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("select to_regclass(?) is not null")) {
            st.setString(1, "public." + table);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    static boolean column(Connection c, String table, String column) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("select 1 from information_schema.columns"
                + " where table_schema = 'public' and table_name = ? and column_name = ?")) {
            st.setString(1, table);
            st.setString(2, column);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        }
    }
}
