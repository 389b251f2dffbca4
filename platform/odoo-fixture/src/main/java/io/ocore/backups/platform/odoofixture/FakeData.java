package io.ocore.backups.platform.odoofixture;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;

/** Deterministic, plausible business data: every value comes from the caller's random source. */
final class FakeData {

    static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    /** Every generated date lies in the two years from here, so a seed always yields the same rows. */
    static final LocalDateTime EPOCH = LocalDateTime.of(2024, 1, 1, 8, 0, 0);
    static final int SPAN_SECONDS = 2 * 365 * 24 * 3600;

    private static final String[] FIRST = {
        "Anna", "Bruno", "Chloé", "David", "Elif", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Katrin",
        "Luca", "Maya", "Nils", "Olivia", "Pavel", "Quentin", "Rosa", "Sven", "Tariq", "Ute", "Victor",
        "Wen", "Xenia", "Yusuf", "Zoé", "Marie", "Pierre", "Sofia", "Mateo"};
    private static final String[] LAST = {
        "Müller", "Dubois", "Rossi", "García", "Novak", "Jensen", "Kowalski", "Smith", "Peeters", "Silva",
        "Horvat", "Nagy", "Bianchi", "Schmidt", "Martin", "Lambert", "Fischer", "Weber", "Moreau", "Janssens",
        "Ivanova", "Costa", "Larsen", "O'Brien", "Van Damme"};
    private static final String[] COMPANY_A = {
        "Acme", "Blue Harbor", "Cedar", "Delta", "Everest", "Falcon", "Granite", "Helios", "Iris",
        "Juniper", "Kestrel", "Lumen", "Meridian", "Nimbus", "Orion", "Pioneer", "Quartz", "Riverside",
        "Summit", "Tidewater", "Umbra", "Vertex", "Willow", "Zenith"};
    private static final String[] COMPANY_B = {
        "Logistics", "Foods", "Consulting", "Furniture", "Textiles", "Robotics", "Pharma", "Media",
        "Construction", "Energy", "Retail", "Systems", "Design", "Agro", "Motors", "Optics"};
    private static final String[] SUFFIX = {"SA", "SRL", "GmbH", "Ltd", "BV", "SAS", "Inc.", "AB", "Oy", "sp. z o.o."};
    private static final String[] CITY = {
        "Brussels", "Liège", "Namur", "Paris", "Lyon", "Berlin", "Hamburg", "Amsterdam", "Rotterdam",
        "Madrid", "Lisbon", "Milan", "Vienna", "Prague", "Warsaw", "Dublin", "Copenhagen", "Zürich"};
    private static final String[] STREET = {
        "Rue de la Loi", "Avenue Louise", "Hauptstraße", "Kerkstraat", "Calle Mayor", "Via Roma",
        "High Street", "Boulevard Haussmann", "Nowy Świat", "Rua Augusta", "Bahnhofstrasse"};
    private static final String[] WORDS = {
        "invoice", "delivery", "order", "quotation", "payment", "contract", "warehouse", "shipment",
        "please", "find", "attached", "the", "updated", "version", "of", "our", "offer", "for", "next",
        "quarter", "thank", "you", "regards", "meeting", "schedule", "confirmed", "pallets", "stock",
        "reference", "due", "date", "discount", "terms", "conditions", "customer", "supplier", "project",
        "milestone", "approved", "pending", "review", "draft", "signed", "tax", "amount", "balance"};
    private static final String[] PRODUCT_A = {
        "Office", "Ergonomic", "Large", "Compact", "Premium", "Basic", "Wireless", "Steel", "Oak",
        "Acoustic", "Modular", "Portable"};
    private static final String[] PRODUCT_B = {
        "Desk", "Chair", "Cabinet", "Lamp", "Monitor Stand", "Whiteboard", "Drawer Unit", "Bookcase",
        "Headset", "Conference Table", "Service Hour", "Maintenance Plan", "Cable Kit", "Locker"};

    private FakeData() {
    }

    static String pick(SplittableRandom r, String[] values) {
        return values[r.nextInt(values.length)];
    }

    static String personName(SplittableRandom r) {
        return pick(r, FIRST) + " " + pick(r, LAST);
    }

    static String companyName(SplittableRandom r) {
        return pick(r, COMPANY_A) + " " + pick(r, COMPANY_B) + " " + pick(r, SUFFIX);
    }

    static String productName(SplittableRandom r) {
        return pick(r, PRODUCT_A) + " " + pick(r, PRODUCT_B);
    }

    static String city(SplittableRandom r) {
        return pick(r, CITY);
    }

    static String street(SplittableRandom r) {
        return pick(r, STREET) + " " + (1 + r.nextInt(250));
    }

    static String email(String name, long id) {
        String local = name.toLowerCase()
                .replaceAll("[^a-z0-9]+", ".")
                .replaceAll("^\\.|\\.$", "");
        return local + "." + id + "@example.com";
    }

    static String phone(SplittableRandom r) {
        return String.format("+32 %d %02d %02d %02d", 2 + r.nextInt(8), r.nextInt(100), r.nextInt(100), r.nextInt(100));
    }

    /** Words separated by spaces, about {@code approxChars} long. */
    static String sentence(SplittableRandom r, int approxChars) {
        StringBuilder out = new StringBuilder(approxChars + 16);
        while (out.length() < approxChars) {
            if (!out.isEmpty()) {
                out.append(' ');
            }
            out.append(pick(r, WORDS));
        }
        if (!out.isEmpty()) {
            out.setCharAt(0, Character.toUpperCase(out.charAt(0)));
        }
        return out.append('.').toString();
    }

    /** Odoo-style HTML body: paragraphs of words. */
    static String htmlBody(SplittableRandom r, int approxChars) {
        StringBuilder out = new StringBuilder(approxChars + 64);
        while (out.length() < approxChars) {
            out.append("<p>").append(sentence(r, 60 + r.nextInt(240))).append("</p>");
        }
        return out.toString();
    }

    static LocalDateTime timestamp(SplittableRandom r) {
        return EPOCH.plusSeconds(r.nextInt(SPAN_SECONDS));
    }

    static String format(LocalDateTime value) {
        return TIMESTAMP.format(value);
    }

    static String json(String value) {
        return "{\"en_US\": \"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
    }

    /** Cents to a numeric literal with two decimals. */
    static String money(long cents) {
        long abs = Math.abs(cents);
        return (cents < 0 ? "-" : "") + (abs / 100) + "." + String.format("%02d", abs % 100);
    }

    static String hex(SplittableRandom r, int chars) {
        StringBuilder out = new StringBuilder(chars);
        for (int i = 0; i < chars; i++) {
            out.append(Character.forDigit(r.nextInt(16), 16));
        }
        return out.toString();
    }
}
