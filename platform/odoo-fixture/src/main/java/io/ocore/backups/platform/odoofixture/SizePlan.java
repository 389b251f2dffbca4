package io.ocore.backups.platform.odoofixture;

/**
 * How many rows and how many filestore bytes a target size turns into. About half of the
 * target goes to the filestore (attachments) and half to the database, which is the usual
 * shape of a small-business Odoo instance; the per-row factors were calibrated on
 * PostgreSQL 15 so that {@code pg_database_size} grows by roughly the database half
 * (indexes included).
 *
 * @param sizeMb          the requested total size in MiB (at least 1)
 * @param partners        res_partner rows (including the company, OdooBot, admin and users' partners)
 * @param users           internal res_users besides __system__, admin and public
 * @param products        product_template (and product_product) rows
 * @param saleOrders      sale_order rows
 * @param invoices        account_move rows (each has 3 to 7 lines)
 * @param messages        mail_message rows
 * @param filestoreBytes  the budget for attachment files
 */
public record SizePlan(
        int sizeMb,
        int partners,
        int users,
        int products,
        int saleOrders,
        int invoices,
        int messages,
        long filestoreBytes) {

    /** Rows per MiB of the database half, measured (see OdooEnvironmentGeneratorTest). */
    static final int PARTNERS_PER_MB = 400;
    static final int SALE_ORDERS_PER_MB = 265;
    static final int INVOICES_PER_MB = 210;
    static final int MESSAGES_PER_MB = 540;

    public static SizePlan forSize(int sizeMb) {
        if (sizeMb < 1) {
            throw new IllegalArgumentException("sizeMb must be >= 1, was " + sizeMb);
        }
        double dbMb = sizeMb / 2.0;
        int users = (int) Math.min(200, 3 + sizeMb / 4);
        int partners = 8 + users + (int) Math.round(dbMb * PARTNERS_PER_MB);
        int products = (int) Math.min(5_000, 10 + Math.round(dbMb * 20));
        int saleOrders = 5 + (int) Math.round(dbMb * SALE_ORDERS_PER_MB);
        int invoices = 5 + (int) Math.round(dbMb * INVOICES_PER_MB);
        int messages = 10 + (int) Math.round(dbMb * MESSAGES_PER_MB);
        long filestoreBytes = (long) sizeMb * 1024 * 1024 / 2;
        return new SizePlan(sizeMb, partners, users, products, saleOrders, invoices, messages, filestoreBytes);
    }
}
