package io.ocore.backups.platform.odoofixture;

import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Where Odoo would connect: what the generated odoo.conf says. Derived from the JDBC
 * connection unless the caller says otherwise (e.g. a host name as seen from Odoo's pod).
 */
public record DatabaseTarget(String host, int port, String name, String user, String password) {

    /** From the connection's URL ({@code jdbc:postgresql://host:port/db?...}) and user. */
    public static DatabaseTarget of(Connection connection, String password) throws SQLException {
        String url = connection.getMetaData().getURL();
        String host = "127.0.0.1";
        int port = 5432;
        if (url != null && url.startsWith("jdbc:postgresql://")) {
            URI uri = URI.create(url.substring("jdbc:".length()));
            if (uri.getHost() != null) {
                host = uri.getHost();
            }
            if (uri.getPort() > 0) {
                port = uri.getPort();
            }
        }
        String name = connection.getCatalog();
        String user = connection.getMetaData().getUserName();
        return new DatabaseTarget(host, port, name, user, password);
    }
}
