package io.ocore.backups.platform.odoofixture;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Generates an Odoo-shaped environment: Odoo's core tables filled with plausible data in an
 * empty database, the attachments' files in Odoo's filestore layout, and an odoo.conf.
 *
 * <p>The amount of data follows a target size (about half database, half filestore, see
 * {@link SizePlan}); the same seed always gives the same rows and the same files (no clock,
 * no unseeded randomness), so tests can compare a restored environment with a freshly
 * generated one. Rows are loaded with COPY, then indexes and foreign keys are added, all in
 * one transaction.
 *
 * <pre>{@code
 * GenerationSummary s = OdooEnvironmentGenerator.generate(conn, filestoreDir, confPath, 50, 42L);
 * }</pre>
 *
 * Command line (used by {@code bin/stack} for the demo environment):
 * {@code java -cp ... io.ocore.backups.platform.odoofixture.OdooEnvironmentGenerator
 * --jdbc-url jdbc:postgresql://127.0.0.1:15433/odoo_demo --user odoo --password odoo
 * --filestore DIR --config FILE --size-mb 20 --seed 42}. The password may come from
 * {@code PGPASSWORD} instead of the command line.
 */
public final class OdooEnvironmentGenerator {

    /** ids fixed the way a fresh Odoo database has them. */
    static final int COMPANY_PARTNER_ID = 1;
    static final int ODOOBOT_PARTNER_ID = 2;
    static final int ADMIN_PARTNER_ID = 3;
    static final int PUBLIC_PARTNER_ID = 4;
    static final int SYSTEM_USER_ID = 1;
    static final int ADMIN_USER_ID = 2;
    static final int PUBLIC_USER_ID = 3;
    static final int FIRST_INTERNAL_USER_ID = 4;
    static final int COMPANY_ID = 1;
    static final int CURRENCY_EUR_ID = 125;

    private final Connection connection;
    private final Path filestoreDir;
    private final Path configPath;
    private final SizePlan plan;
    private final long seed;
    private final DatabaseTarget target;
    private final Map<String, Long> rowCounts = new LinkedHashMap<>();

    private int firstCustomerPartnerId;
    private long attachmentRows;

    private OdooEnvironmentGenerator(Connection connection, Path filestoreDir, Path configPath, SizePlan plan,
            long seed, DatabaseTarget target) {
        this.connection = connection;
        this.filestoreDir = filestoreDir;
        this.configPath = configPath;
        this.plan = plan;
        this.seed = seed;
        this.target = target;
    }

    /**
     * Fills the (empty) database behind {@code connection}, writes the attachments into
     * {@code filestoreDir} and an odoo.conf at {@code configPath} whose connection settings are
     * taken from the connection (password {@code False}).
     */
    public static GenerationSummary generate(Connection connection, Path filestoreDir, Path configPath, int sizeMb,
            long seed) throws SQLException, IOException {
        return generate(connection, filestoreDir, configPath, sizeMb, seed, DatabaseTarget.of(connection, null));
    }

    /** Same, with the database settings odoo.conf should carry given explicitly. */
    public static GenerationSummary generate(Connection connection, Path filestoreDir, Path configPath, int sizeMb,
            long seed, DatabaseTarget target) throws SQLException, IOException {
        SizePlan plan = SizePlan.forSize(sizeMb);
        return new OdooEnvironmentGenerator(connection, filestoreDir, configPath, plan, seed, target).run();
    }

    /** A per-table random stream: adding rows to one table never changes another's. */
    private SplittableRandom random(String stream) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ stream.hashCode());
    }

    private GenerationSummary run() throws SQLException, IOException {
        ensureEmpty();
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        Filestore filestore = new Filestore(filestoreDir);
        String databaseUuid;
        try {
            try (Statement st = connection.createStatement()) {
                for (String ddl : OdooSchema.CREATE) {
                    st.execute(ddl);
                }
            }
            loadCompany();
            loadPartners();
            loadUsers();
            databaseUuid = loadConfigParameters();
            loadCrons();
            loadMailServers();
            loadFetchmailServers();
            loadPaymentProviders();
            loadProducts();
            loadSaleOrders();
            loadInvoices();
            loadMessages();
            loadAttachments(filestore);
            try (Statement st = connection.createStatement()) {
                for (String ddl : OdooSchema.POST_LOAD) {
                    st.execute(ddl);
                }
                for (String table : OdooSchema.TABLES) {
                    st.execute("SELECT setval(pg_get_serial_sequence('" + table + "', 'id'), "
                            + "GREATEST((SELECT max(id) FROM " + table + "), 1))");
                }
            }
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
        String invoiceTotal;
        long databaseBytes;
        try (Statement st = connection.createStatement()) {
            st.execute("ANALYZE");
            try (ResultSet rs = st.executeQuery(
                    "SELECT pg_database_size(current_database()), (SELECT coalesce(sum(amount_total), 0) FROM account_move)")) {
                rs.next();
                databaseBytes = rs.getLong(1);
                invoiceTotal = rs.getBigDecimal(2).toPlainString();
            }
        }
        OdooConfig.write(configPath, target, filestoreDir);
        return new GenerationSummary(target.name(), databaseUuid,
                Collections.unmodifiableMap(new LinkedHashMap<>(rowCounts)), attachmentRows,
                filestore.files(), filestore.bytes(), databaseBytes, filestoreDir, configPath, invoiceTotal);
    }

    private void ensureEmpty() throws SQLException {
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' "
                                + "AND table_name IN ('res_partner', 'ir_attachment', 'res_users')")) {
            rs.next();
            if (rs.getInt(1) > 0) {
                throw new IllegalStateException("database " + connection.getCatalog()
                        + " already has Odoo tables: the generator needs an empty database");
            }
        }
    }

    private void count(String table, CopyWriter copy) throws SQLException {
        rowCounts.merge(table, copy.finish(), Long::sum);
    }

    private static String ts(LocalDateTime t) {
        return FakeData.format(t);
    }

    // ------------------------------------------------------------------ tables

    private void loadCompany() throws SQLException {
        try (CopyWriter c = new CopyWriter(connection, "res_company", "id", "name", "partner_id", "currency_id",
                "sequence", "email", "phone", "active", "create_date", "write_date")) {
            c.add(COMPANY_ID, "Demo Company SA", COMPANY_PARTNER_ID, CURRENCY_EUR_ID, 10, "info@demo-company.example.com",
                    "+32 2 555 01 01", true, ts(FakeData.EPOCH), ts(FakeData.EPOCH)).endRow();
            count("res_company", c);
        }
    }

    private void loadPartners() throws SQLException {
        SplittableRandom r = random("res_partner");
        String epoch = ts(FakeData.EPOCH);
        try (CopyWriter c = new CopyWriter(connection, "res_partner", "id", "name", "complete_name", "company_id",
                "parent_id", "type", "ref", "lang", "tz", "vat", "email", "phone", "mobile", "street", "city", "zip",
                "country_id", "is_company", "active", "customer_rank", "supplier_rank", "comment", "create_date",
                "write_date")) {
            Object[][] fixed = {
                {COMPANY_PARTNER_ID, "Demo Company SA", true, "info@demo-company.example.com"},
                {ODOOBOT_PARTNER_ID, "OdooBot", false, "odoobot@example.com"},
                {ADMIN_PARTNER_ID, "Mitchell Admin", false, "admin@demo-company.example.com"},
                {PUBLIC_PARTNER_ID, "Public user", false, null},
            };
            for (Object[] p : fixed) {
                c.add(p[0], p[1], p[1], COMPANY_ID, null, "contact", null, "en_US", "Europe/Brussels", null, p[3], null,
                        null, null, "Brussels", null, 20, p[2], p[0].equals(PUBLIC_PARTNER_ID) ? false : true, 0, 0,
                        null, epoch, epoch).endRow();
            }
            int id = fixed.length + 1;
            // internal users' partners
            for (int u = 0; u < plan.users(); u++, id++) {
                String name = FakeData.personName(r);
                c.add(id, name, name, COMPANY_ID, null, "contact", null, "en_US", "Europe/Brussels", null,
                        FakeData.email(name, id), FakeData.phone(r), null, null, null, null, 20, false, true, 0, 0, null,
                        epoch, epoch).endRow();
            }
            firstCustomerPartnerId = id;
            int lastCompany = 0;
            String lastCompanyName = null;
            for (; id <= plan.partners(); id++) {
                boolean isCompany = lastCompany == 0 || r.nextInt(4) == 0;
                String name = isCompany ? FakeData.companyName(r) : FakeData.personName(r);
                Integer parent = isCompany ? null : (r.nextInt(3) == 0 ? null : lastCompany);
                String complete = parent == null ? name : lastCompanyName + ", " + name;
                String created = ts(FakeData.timestamp(r));
                c.add(id, name, complete, null, parent, parent == null ? "contact" : (r.nextInt(5) == 0 ? "invoice" : "contact"),
                        isCompany ? "C" + (10000 + id) : null,
                        r.nextInt(3) == 0 ? "fr_BE" : "en_US", "Europe/Brussels",
                        isCompany ? "BE0" + (100000000 + r.nextInt(899999999)) : null,
                        FakeData.email(name, id), FakeData.phone(r), r.nextBoolean() ? FakeData.phone(r) : null,
                        FakeData.street(r), FakeData.city(r), Integer.toString(1000 + r.nextInt(9000)),
                        1 + r.nextInt(250), isCompany, r.nextInt(40) != 0, r.nextInt(5), r.nextInt(3),
                        r.nextInt(6) == 0 ? FakeData.htmlBody(r, 120) : null, created, created).endRow();
                if (isCompany) {
                    lastCompany = id;
                    lastCompanyName = name;
                }
            }
            count("res_partner", c);
        }
    }

    private void loadUsers() throws SQLException {
        SplittableRandom r = random("res_users");
        String epoch = ts(FakeData.EPOCH);
        try (CopyWriter c = new CopyWriter(connection, "res_users", "id", "login", "password", "partner_id",
                "company_id", "active", "share", "signature", "notification_type", "create_date", "write_date")) {
            c.add(SYSTEM_USER_ID, "__system__", null, ODOOBOT_PARTNER_ID, COMPANY_ID, false, false,
                    "<span>-- <br/>System</span>", "email", epoch, epoch).endRow();
            c.add(ADMIN_USER_ID, "admin", pbkdf2(r), ADMIN_PARTNER_ID, COMPANY_ID, true, false,
                    "<span>-- <br/>Mitchell Admin</span>", "email", epoch, epoch).endRow();
            c.add(PUBLIC_USER_ID, "public", null, PUBLIC_PARTNER_ID, COMPANY_ID, false, true, null, "email", epoch, epoch)
                    .endRow();
            for (int u = 0; u < plan.users(); u++) {
                int partnerId = 5 + u;
                c.add(FIRST_INTERNAL_USER_ID + u, "user" + (u + 1) + "@demo-company.example.com", pbkdf2(r), partnerId,
                        COMPANY_ID, r.nextInt(10) != 0, false, null, r.nextBoolean() ? "email" : "inbox", epoch, epoch)
                        .endRow();
            }
            count("res_users", c);
        }
    }

    private static String pbkdf2(SplittableRandom r) {
        return "$pbkdf2-sha512$600000$" + FakeData.hex(r, 22) + "$" + FakeData.hex(r, 86);
    }

    private String loadConfigParameters() throws SQLException {
        SplittableRandom r = random("ir_config_parameter");
        String uuid = new UUID((r.nextLong() & ~0xF000L) | 0x4000L, (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L)
                .toString();
        String epoch = ts(FakeData.EPOCH);
        // database.is_neutralized is deliberately absent: a production database does not carry it,
        // neutralization sets it to true.
        String[][] params = {
            {"database.uuid", uuid},
            {"database.secret", new UUID(r.nextLong(), r.nextLong()).toString()},
            {"database.create_date", epoch},
            {"web.base.url", "http://localhost:8069"},
            {"web.base.url.freeze", "False"},
            {"mail.catchall.domain", "demo-company.example.com"},
            {"mail.default.from", "notifications"},
            {"mail.bounce.alias", "bounce"},
            {"base.login_cooldown_after", "10"},
            {"base_setup.default_user_rights", "True"},
            {"report.url", "http://localhost:8069"},
        };
        try (CopyWriter c = new CopyWriter(connection, "ir_config_parameter", "id", "key", "value", "create_date",
                "write_date")) {
            int id = 1;
            for (String[] p : params) {
                c.add(id++, p[0], p[1], epoch, epoch).endRow();
            }
            count("ir_config_parameter", c);
        }
        return uuid;
    }

    private void loadCrons() throws SQLException {
        SplittableRandom r = random("ir_cron");
        String[][] crons = {
            {"Mail: Email Queue Manager", "minutes", "1"},
            {"Notification: Delete Notifications older than 6 Month", "days", "1"},
            {"Base: Auto-vacuum internal data", "days", "1"},
            {"Base: Portal Users Deletion", "days", "1"},
            {"Partner Autocomplete: Sync with remote DB", "hours", "1"},
            {"Digest Emails", "days", "1"},
            {"Payment: Post-process transactions", "minutes", "10"},
            {"Account: Post draft entries with auto_post enabled", "days", "1"},
            {"Account Report Followup; Execute followup", "days", "1"},
            {"Sale: Send an email to customers about their orders", "hours", "12"},
            {"Mail: Fetchmail Service", "minutes", "5"},
            {"Calendar: Event Reminder", "hours", "1"},
            {"Snailmail: process letters queue", "days", "1"},
            {"Publisher: Update Notification", "weeks", "1"},
        };
        try (CopyWriter c = new CopyWriter(connection, "ir_cron", "id", "cron_name", "ir_actions_server_id", "user_id",
                "active", "interval_number", "interval_type", "numbercall", "doall", "nextcall", "lastcall", "priority",
                "create_date", "write_date")) {
            int id = 1;
            for (String[] cron : crons) {
                LocalDateTime last = FakeData.EPOCH.plusSeconds(FakeData.SPAN_SECONDS - r.nextInt(3600));
                c.add(id, cron[0], 100 + id, SYSTEM_USER_ID, r.nextInt(8) != 0, Integer.parseInt(cron[2]), cron[1], -1,
                        false, ts(last.plusHours(1)), ts(last), 5, ts(FakeData.EPOCH), ts(last)).endRow();
                id++;
            }
            count("ir_cron", c);
        }
    }

    private void loadMailServers() throws SQLException {
        String epoch = ts(FakeData.EPOCH);
        try (CopyWriter c = new CopyWriter(connection, "ir_mail_server", "id", "name", "from_filter", "smtp_host",
                "smtp_port", "smtp_authentication", "smtp_user", "smtp_pass", "smtp_encryption", "smtp_debug",
                "sequence", "active", "create_date", "write_date")) {
            c.add(1, "Production SMTP", "demo-company.example.com", "smtp.example.com", 587, "login",
                    "mailer@demo-company.example.com", "not-a-real-password", "starttls", false, 10, true, epoch, epoch)
                    .endRow();
            c.add(2, "Marketing relay", null, "relay.example.net", 465, "login", "marketing", "not-a-real-password",
                    "ssl", false, 20, true, epoch, epoch).endRow();
            count("ir_mail_server", c);
        }
    }

    private void loadFetchmailServers() throws SQLException {
        String epoch = ts(FakeData.EPOCH);
        try (CopyWriter c = new CopyWriter(connection, "fetchmail_server", "id", "name", "active", "state", "server",
                "port", "server_type", "is_ssl", "attach", "original", "\"user\"", "password", "object_id", "priority",
                "date", "create_date", "write_date")) {
            c.add(1, "Support inbox", true, "done", "imap.example.com", 993, "imap", true, true, false,
                    "support@demo-company.example.com", "not-a-real-password", null, 5, epoch, epoch, epoch).endRow();
            c.add(2, "Jobs inbox", true, "done", "pop.example.com", 995, "pop", true, true, false,
                    "jobs@demo-company.example.com", "not-a-real-password", null, 5, epoch, epoch, epoch).endRow();
            count("fetchmail_server", c);
        }
    }

    private void loadPaymentProviders() throws SQLException {
        String epoch = ts(FakeData.EPOCH);
        Object[][] providers = {
            {"Stripe", "stripe", "enabled", true},
            {"PayPal", "paypal", "test", false},
            {"Adyen", "adyen", "disabled", false},
            {"Wire Transfer", "custom", "enabled", true},
            {"Demo", "demo", "test", false},
        };
        try (CopyWriter c = new CopyWriter(connection, "payment_provider", "id", "name", "code", "state",
                "company_id", "is_published", "sequence", "allow_tokenization", "capture_manually", "create_date",
                "write_date")) {
            int id = 1;
            for (Object[] p : providers) {
                c.add(id, FakeData.json((String) p[0]), p[1], p[2], COMPANY_ID, p[3], 10 * id, false, false, epoch,
                        epoch).endRow();
                id++;
            }
            count("payment_provider", c);
        }
    }

    private void loadProducts() throws SQLException {
        SplittableRandom r = random("product_template");
        try (CopyWriter t = new CopyWriter(connection, "product_template", "id", "name", "description_sale",
                "default_code", "type", "list_price", "sale_ok", "purchase_ok", "active", "company_id", "create_date",
                "write_date")) {
            for (int id = 1; id <= plan.products(); id++) {
                String created = ts(FakeData.timestamp(r));
                t.add(id, FakeData.json(FakeData.productName(r)),
                        r.nextBoolean() ? FakeData.json(FakeData.sentence(r, 80)) : null, "P" + (1000 + id),
                        r.nextInt(4) == 0 ? "service" : "consu", FakeData.money(500 + r.nextInt(200_000)), true,
                        r.nextBoolean(), r.nextInt(30) != 0, null, created, created).endRow();
            }
            count("product_template", t);
        }
        try (CopyWriter p = new CopyWriter(connection, "product_product", "id", "product_tmpl_id", "default_code",
                "barcode", "active", "create_date", "write_date")) {
            String epoch = ts(FakeData.EPOCH);
            for (int id = 1; id <= plan.products(); id++) {
                p.add(id, id, "P" + (1000 + id), Long.toString(5_400_000_000_000L + id), true, epoch, epoch).endRow();
            }
            count("product_product", p);
        }
    }

    private int randomCustomer(SplittableRandom r) {
        return firstCustomerPartnerId + r.nextInt(plan.partners() - firstCustomerPartnerId + 1);
    }

    private int randomUser(SplittableRandom r) {
        return r.nextInt(4) == 0 ? ADMIN_USER_ID : FIRST_INTERNAL_USER_ID + r.nextInt(plan.users());
    }

    private void loadSaleOrders() throws SQLException {
        SplittableRandom r = random("sale_order");
        String[] states = {"draft", "sent", "sale", "sale", "sale", "cancel"};
        try (CopyWriter c = new CopyWriter(connection, "sale_order", "id", "name", "partner_id", "company_id",
                "user_id", "state", "invoice_status", "date_order", "client_order_ref", "note", "amount_untaxed",
                "amount_tax", "amount_total", "currency_id", "create_date", "write_date")) {
            for (int id = 1; id <= plan.saleOrders(); id++) {
                LocalDateTime date = FakeData.timestamp(r);
                String state = FakeData.pick(r, states);
                long untaxed = 1_000 + r.nextInt(5_000_000);
                long tax = Math.round(untaxed * 0.21);
                c.add(id, String.format("S%05d", id), randomCustomer(r), COMPANY_ID, randomUser(r), state,
                        "sale".equals(state) ? (r.nextBoolean() ? "invoiced" : "to invoice") : "no",
                        ts(date), r.nextInt(3) == 0 ? "PO-" + (10000 + r.nextInt(90000)) : null,
                        r.nextInt(3) == 0 ? FakeData.htmlBody(r, 150) : null, FakeData.money(untaxed),
                        FakeData.money(tax), FakeData.money(untaxed + tax), CURRENCY_EUR_ID, ts(date),
                        ts(date.plusDays(r.nextInt(10)))).endRow();
            }
            count("sale_order", c);
        }
    }

    /** One generated journal entry: the account_move row and its lines. */
    private record Move(Object[] row, List<Object[]> lines) {
    }

    /**
     * Invoices, bills, refunds and miscellaneous entries with balanced lines: product lines,
     * a tax line and a receivable/payable line, so {@code sum(balance) = 0} per move and
     * {@code amount_total} equals the product lines' {@code price_subtotal} plus tax.
     *
     * <p>One connection runs one COPY at a time, so moves and lines are loaded in two passes
     * over the same per-move random streams (nothing is held in memory between them).
     */
    private void loadInvoices() throws SQLException {
        try (CopyWriter m = new CopyWriter(connection, "account_move", "id", "name", "ref", "move_type", "state",
                "payment_state", "partner_id", "company_id", "journal_id", "currency_id", "date", "invoice_date",
                "invoice_date_due", "invoice_origin", "amount_untaxed", "amount_tax", "amount_total", "amount_residual",
                "narration", "create_date", "write_date")) {
            SplittableRandom master = random("account_move");
            Map<String, Integer> sequences = new LinkedHashMap<>();
            for (int id = 1; id <= plan.invoices(); id++) {
                m.add(buildMove(id, new SplittableRandom(master.nextLong()), sequences).row()).endRow();
            }
            count("account_move", m);
        }
        try (CopyWriter l = new CopyWriter(connection, "account_move_line", "id", "move_id", "move_name",
                "partner_id", "product_id", "company_id", "account_id", "display_type", "name", "quantity",
                "price_unit", "price_subtotal", "price_total", "debit", "credit", "balance", "date", "create_date",
                "write_date")) {
            SplittableRandom master = random("account_move");
            Map<String, Integer> sequences = new LinkedHashMap<>();
            long lineId = 1;
            for (int id = 1; id <= plan.invoices(); id++) {
                for (Object[] line : buildMove(id, new SplittableRandom(master.nextLong()), sequences).lines()) {
                    line[0] = lineId++;
                    l.add(line).endRow();
                }
            }
            count("account_move_line", l);
        }
    }

    private Move buildMove(int id, SplittableRandom r, Map<String, Integer> sequences) {
        int kind = r.nextInt(20);
        String moveType = kind < 14 ? "out_invoice" : kind < 18 ? "in_invoice" : kind < 19 ? "out_refund" : "entry";
        int st = r.nextInt(20);
        String state = st < 17 ? "posted" : st < 19 ? "draft" : "cancel";
        LocalDate date = FakeData.timestamp(r).toLocalDate();
        String prefix = switch (moveType) {
            case "out_invoice" -> "INV";
            case "in_invoice" -> "BILL";
            case "out_refund" -> "RINV";
            default -> "MISC";
        };
        String name = "/";
        if ("posted".equals(state)) {
            String key = prefix + "/" + date.getYear();
            int n = sequences.merge(key, 1, Integer::sum);
            name = String.format("%s/%05d", key, n);
        }
        int partner = randomCustomer(r);
        // customer documents credit income, vendor bills debit expenses; refunds reverse
        boolean outgoing = !"in_invoice".equals(moveType);
        int sign = "out_refund".equals(moveType) ? -1 : 1;
        int productLines = 1 + r.nextInt(5);
        long untaxed = 0;
        String dateText = date.toString();
        String created = ts(date.atTime(9, 0).plusSeconds(r.nextInt(36_000)));
        List<Object[]> lines = new ArrayList<>(productLines + 2);
        for (int i = 0; i < productLines; i++) {
            int product = 1 + r.nextInt(plan.products());
            long qty = 1 + r.nextInt(20);
            long unitCents = 100 + r.nextInt(100_000);
            long subtotal = qty * unitCents;
            long total = subtotal + Math.round(subtotal * 0.21);
            untaxed += subtotal;
            long balance = (outgoing ? -subtotal : subtotal) * sign;
            lines.add(line(id, name, partner, product, outgoing ? 700000 : 600000, "product", FakeData.productName(r),
                    qty + ".00", unitCents / 100.0, FakeData.money(subtotal * sign), FakeData.money(total * sign),
                    balance, dateText, created));
        }
        long tax = Math.round(untaxed * 0.21);
        lines.add(line(id, name, partner, null, outgoing ? 451000 : 411000, "tax", "VAT 21%", null, null, null, null,
                (outgoing ? -tax : tax) * sign, dateText, created));
        long total = untaxed + tax;
        lines.add(line(id, name, partner, null, outgoing ? 400000 : 440000, "payment_term", name, null, null, null,
                null, (outgoing ? total : -total) * sign, dateText, created));
        String paymentState;
        long residual;
        if (!"posted".equals(state) || "entry".equals(moveType)) {
            paymentState = "not_paid";
            residual = "posted".equals(state) ? 0 : total;
        } else {
            int p = r.nextInt(10);
            paymentState = p < 6 ? "paid" : p < 8 ? "not_paid" : p < 9 ? "partial" : "in_payment";
            residual = switch (paymentState) {
                case "paid", "in_payment" -> 0;
                case "partial" -> total / 2;
                default -> total;
            };
        }
        boolean invoice = !"entry".equals(moveType);
        Object[] row = {id, name, r.nextInt(4) == 0 ? "REF-" + (100000 + r.nextInt(900000)) : null, moveType, state,
            paymentState, partner, COMPANY_ID, 1 + r.nextInt(4), CURRENCY_EUR_ID, dateText,
            invoice ? dateText : null, invoice ? date.plusDays(30).toString() : null,
            r.nextInt(3) == 0 ? String.format("S%05d", 1 + r.nextInt(plan.saleOrders())) : null,
            FakeData.money(untaxed * sign), FakeData.money(tax * sign), FakeData.money(total * sign),
            FakeData.money(residual * sign), r.nextInt(4) == 0 ? FakeData.htmlBody(r, 100) : null, created, created};
        return new Move(row, lines);
    }

    /** An account_move_line row; its id (index 0) is filled when it is written. */
    private static Object[] line(int moveId, String moveName, int partner, Integer product, int account,
            String displayType, String label, String quantity, Double priceUnit, String subtotal, String total,
            long balance, String date, String created) {
        return new Object[] {null, moveId, moveName, partner, product, COMPANY_ID, account, displayType, label,
            quantity, priceUnit, subtotal, total, FakeData.money(Math.max(balance, 0)),
            FakeData.money(Math.max(-balance, 0)), FakeData.money(balance), date, created, created};
    }

    private void loadMessages() throws SQLException {
        SplittableRandom r = random("mail_message");
        try (CopyWriter c = new CopyWriter(connection, "mail_message", "id", "subject", "date", "body", "model",
                "res_id", "record_name", "message_type", "subtype_id", "author_id", "email_from", "message_id",
                "create_date", "write_date")) {
            for (int id = 1; id <= plan.messages(); id++) {
                int kind = r.nextInt(10);
                String type = kind < 4 ? "comment" : kind < 9 ? "notification" : "email";
                int target = r.nextInt(3);
                String model;
                int resId;
                String recordName;
                if (target == 0) {
                    model = "res.partner";
                    resId = randomCustomer(r);
                    recordName = "Partner " + resId;
                } else if (target == 1) {
                    model = "account.move";
                    resId = 1 + r.nextInt(plan.invoices());
                    recordName = "Invoice " + resId;
                } else {
                    model = "sale.order";
                    resId = 1 + r.nextInt(plan.saleOrders());
                    recordName = String.format("S%05d", resId);
                }
                int author = r.nextInt(5) == 0 ? ODOOBOT_PARTNER_ID : randomCustomer(r);
                String date = ts(FakeData.timestamp(r));
                String body = "notification".equals(type)
                        ? "<p>" + FakeData.sentence(r, 40 + r.nextInt(80)) + "</p>"
                        : FakeData.htmlBody(r, 200 + r.nextInt(1_400));
                c.add(id, "email".equals(type) ? FakeData.sentence(r, 30) : null, date, body, model, resId, recordName,
                        type, 1 + r.nextInt(3), author, "email".equals(type) ? "sender" + author + "@example.com" : null,
                        "<" + Long.toHexString(seed) + "." + id + ".mail@demo-company.example.com>", date, date)
                        .endRow();
            }
            count("mail_message", c);
        }
    }

    /**
     * Attachments until the filestore budget is spent: invoice PDFs, partner and product images
     * (res_field image_1920), mail attachments (text, CSV, HTML, PDF), about one row in twelve
     * re-using an existing file (Odoo stores identical content once), plus a few URL attachments
     * without a file, as web assets are.
     */
    private void loadAttachments(Filestore filestore) throws SQLException {
        SplittableRandom r = random("ir_attachment");
        try (CopyWriter c = new CopyWriter(connection, "ir_attachment", "id", "name", "description", "res_model",
                "res_field", "res_id", "company_id", "type", "url", "public", "access_token", "db_datas",
                "store_fname", "file_size", "checksum", "mimetype", "index_content", "create_uid", "create_date",
                "write_date")) {
            int id = 1;
            String epoch = ts(FakeData.EPOCH);
            for (String asset : new String[] {"/web/assets/1/web.assets_frontend.min.css",
                "/web/assets/1/web.assets_frontend_lazy.min.js", "/web/assets/1/web.assets_backend.min.js"}) {
                c.add(id++, asset.substring(asset.lastIndexOf('/') + 1), null, "ir.ui.view", null, 0, null, "url", asset,
                        true, null, null, null, 0, null, asset.endsWith(".css") ? "text/css" : "application/javascript",
                        null, SYSTEM_USER_ID, epoch, epoch).endRow();
            }
            List<Filestore.StoredFile> stored = new ArrayList<>();
            List<String> storedMime = new ArrayList<>();
            long maxFile = Math.max(4_096, Math.min(4L << 20, plan.filestoreBytes() / 8));
            while (filestore.bytes() < plan.filestoreBytes()) {
                int kind = r.nextInt(20);
                String model;
                String field = null;
                int resId;
                String mime;
                String name;
                boolean reuse = !stored.isEmpty() && r.nextInt(12) == 0;
                if (kind < 7) {
                    model = "account.move";
                    resId = 1 + r.nextInt(plan.invoices());
                    mime = "application/pdf";
                    name = "INV_" + resId + ".pdf";
                } else if (kind < 10) {
                    model = "res.partner";
                    field = "image_1920";
                    resId = randomCustomer(r);
                    mime = "image/png";
                    name = "image_1920";
                } else if (kind < 12) {
                    model = "product.template";
                    field = "image_1920";
                    resId = 1 + r.nextInt(plan.products());
                    mime = "image/jpeg";
                    name = "image_1920";
                } else if (kind < 14) {
                    model = "sale.order";
                    resId = 1 + r.nextInt(plan.saleOrders());
                    mime = "application/pdf";
                    name = String.format("Quotation - S%05d.pdf", resId);
                } else {
                    model = "mail.message";
                    resId = 1 + r.nextInt(plan.messages());
                    int t = r.nextInt(3);
                    mime = t == 0 ? "text/plain" : t == 1 ? "text/csv" : "text/html";
                    name = "attachment_" + id + (t == 0 ? ".txt" : t == 1 ? ".csv" : ".html");
                }
                Filestore.StoredFile file;
                if (reuse) {
                    int which = r.nextInt(stored.size());
                    file = stored.get(which);
                    mime = storedMime.get(which);
                } else {
                    int size = fileSize(r, maxFile);
                    byte[] content = AttachmentContent.generate(r, mime, size);
                    file = filestore.store(content);
                    if (stored.size() < 10_000) {
                        stored.add(file);
                        storedMime.add(mime);
                    }
                }
                String indexContent = mime.startsWith("text/") ? "(text content indexed)" : null;
                String created = ts(FakeData.timestamp(r));
                c.add(id++, name, null, model, field, resId, COMPANY_ID, "binary", null, false,
                        r.nextInt(10) == 0 ? FakeData.hex(r, 36) : null, null, file.storeFname(), file.size(),
                        file.checksum(), mime, indexContent, randomUser(r), created, created).endRow();
                attachmentRows++;
            }
            count("ir_attachment", c);
        }
    }

    /** Mostly small files (60 % under 31 KiB), some medium, 5 % large (up to 1 MiB), capped by {@code maxFile}. */
    private static int fileSize(SplittableRandom r, long maxFile) {
        int bucket = r.nextInt(100);
        long size;
        if (bucket < 60) {
            size = 1_024 + r.nextInt(30 * 1024);
        } else if (bucket < 95) {
            size = 30 * 1024 + r.nextInt(170 * 1024);
        } else {
            size = 200 * 1024 + r.nextInt(800 * 1024);
        }
        return (int) Math.min(size, maxFile);
    }

    // ------------------------------------------------------------------ CLI

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = parse(args);
        String url = require(opts, "--jdbc-url");
        String user = opts.getOrDefault("--user", System.getenv().getOrDefault("PGUSER", "odoo"));
        String password = opts.containsKey("--password") ? opts.get("--password") : System.getenv("PGPASSWORD");
        Path filestore = Path.of(require(opts, "--filestore"));
        Path config = Path.of(require(opts, "--config"));
        int sizeMb = Integer.parseInt(opts.getOrDefault("--size-mb", "20"));
        long seed = Long.parseLong(opts.getOrDefault("--seed", "42"));
        Properties props = new Properties();
        props.setProperty("user", user);
        if (password != null) {
            props.setProperty("password", password);
        }
        long started = System.nanoTime();
        try (Connection conn = DriverManager.getConnection(url, props)) {
            DatabaseTarget target = DatabaseTarget.of(conn, password);
            if (opts.containsKey("--db-host")) {
                target = new DatabaseTarget(opts.get("--db-host"), target.port(), target.name(), target.user(),
                        target.password());
            }
            GenerationSummary summary = generate(conn, filestore, config, sizeMb, seed, target);
            System.out.println(summary);
            System.out.printf("generated in %.1f s%n", (System.nanoTime() - started) / 1e9);
        }
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if ("--help".equals(a) || "-h".equals(a)) {
                usage(0);
            }
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                opts.put(a.substring(0, eq), a.substring(eq + 1));
            } else if (a.startsWith("--") && i + 1 < args.length) {
                opts.put(a, args[++i]);
            } else {
                System.err.println("unexpected argument: " + a);
                usage(2);
            }
        }
        return opts;
    }

    private static String require(Map<String, String> opts, String key) {
        String v = opts.get(key);
        if (v == null || v.isBlank()) {
            System.err.println("missing " + key);
            usage(2);
        }
        return v;
    }

    private static void usage(int status) {
        String text = """
                usage: OdooEnvironmentGenerator --jdbc-url URL [--user U] [--password P] --filestore DIR \
                --config FILE [--size-mb N] [--seed S] [--db-host HOST]
                  --jdbc-url   an empty database, e.g. jdbc:postgresql://127.0.0.1:15433/odoo_demo
                  --user       database user (default $PGUSER or odoo); --password (default $PGPASSWORD)
                  --filestore  Odoo filestore directory of that database (<data_dir>/filestore/<db>)
                  --config     odoo.conf to write
                  --size-mb    target size, about half database and half filestore (default 20)
                  --seed       same seed, same data (default 42)
                  --db-host    db_host to write into odoo.conf (default: the JDBC URL's host)
                """;
        (status == 0 ? System.out : System.err).print(text);
        System.exit(status);
    }
}
