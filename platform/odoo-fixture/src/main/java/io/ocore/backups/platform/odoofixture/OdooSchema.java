package io.ocore.backups.platform.odoofixture;

import java.util.List;

/**
 * DDL of the Odoo core tables the fixture fills: a subset of Odoo 17's columns, with the
 * names, types and check values Odoo uses, so backup, restore and neutralization code sees
 * what it would see in a real instance.
 *
 * <p>Tables are created without indexes and foreign keys; {@link #POST_LOAD} adds them
 * after the COPY, the order {@code pg_restore} uses too (faster, and the circular
 * res_company / res_partner references need it).
 */
final class OdooSchema {

    private OdooSchema() {
    }

    /** Every table the generator creates, in load order. */
    static final List<String> TABLES = List.of(
            "res_company", "res_partner", "res_users", "ir_config_parameter", "ir_cron",
            "ir_mail_server", "fetchmail_server", "payment_provider", "product_template",
            "product_product", "sale_order", "account_move", "account_move_line", "mail_message",
            "ir_attachment");

    static final List<String> CREATE = List.of(
            """
            CREATE TABLE res_company (
                id serial PRIMARY KEY,
                name varchar NOT NULL,
                partner_id integer NOT NULL,
                currency_id integer NOT NULL,
                sequence integer,
                email varchar,
                phone varchar,
                active boolean,
                create_date timestamp without time zone,
                write_date timestamp without time zone
            )""",
            """
            CREATE TABLE res_partner (
                id serial PRIMARY KEY,
                name varchar,
                complete_name varchar,
                company_id integer,
                parent_id integer,
                type varchar,
                ref varchar,
                lang varchar,
                tz varchar,
                vat varchar,
                email varchar,
                phone varchar,
                mobile varchar,
                street varchar,
                city varchar,
                zip varchar,
                country_id integer,
                is_company boolean,
                active boolean,
                customer_rank integer,
                supplier_rank integer,
                comment text,
                create_date timestamp without time zone,
                write_date timestamp without time zone
            )""",
            """
            CREATE TABLE res_users (
                id serial PRIMARY KEY,
                login varchar NOT NULL,
                password varchar,
                partner_id integer NOT NULL,
                company_id integer NOT NULL,
                active boolean DEFAULT true,
                share boolean,
                signature text,
                notification_type varchar,
                create_date timestamp without time zone,
                write_date timestamp without time zone,
                CONSTRAINT res_users_login_key UNIQUE (login)
            )""",
            """
            CREATE TABLE ir_config_parameter (
                id serial PRIMARY KEY,
                key varchar NOT NULL,
                value text NOT NULL,
                create_date timestamp without time zone,
                write_date timestamp without time zone,
                CONSTRAINT ir_config_parameter_key_uniq UNIQUE (key)
            )""",
            """
            CREATE TABLE ir_cron (
                id serial PRIMARY KEY,
                cron_name varchar,
                ir_actions_server_id integer,
                user_id integer NOT NULL,
                active boolean,
                interval_number integer,
                interval_type varchar,
                numbercall integer,
                doall boolean,
                nextcall timestamp without time zone NOT NULL,
                lastcall timestamp without time zone,
                priority integer,
                create_date timestamp without time zone,
                write_date timestamp without time zone
            )""",
            """
            CREATE TABLE ir_mail_server (
                id serial PRIMARY KEY,
                name varchar NOT NULL,
                from_filter varchar,
                smtp_host varchar,
                smtp_port integer,
                smtp_authentication varchar,
                smtp_user varchar,
                smtp_pass varchar,
                smtp_encryption varchar NOT NULL,
                smtp_debug boolean,
                sequence integer,
                active boolean,
                create_date timestamp without time zone,
                write_date timestamp without time zone
            )""",
            """
            CREATE TABLE fetchmail_server (
                id serial PRIMARY KEY,
                name varchar NOT NULL,
                active boolean,
                state varchar,
                server varchar,
                port integer,
                server_type varchar NOT NULL,
                is_ssl boolean,
                attach boolean,
                original boolean,
                "user" varchar,
                password varchar,
                object_id integer,
                priority integer,
                date timestamp without time zone,
                create_date timestamp without time zone,
                write_date timestamp without time zone
            )""",
            """
            CREATE TABLE payment_provider (
                id serial PRIMARY KEY,
                name jsonb NOT NULL,
                code varchar NOT NULL,
                state varchar NOT NULL,
                company_id integer NOT NULL,
                is_published boolean,
                sequence integer,
                allow_tokenization boolean,
                capture_manually boolean,
                create_date timestamp without time zone,
                write_date timestamp without time zone,
                CONSTRAINT payment_provider_state_check CHECK (state IN ('disabled', 'enabled', 'test'))
            )""",
            """
            CREATE TABLE product_template (
                id serial PRIMARY KEY,
                name jsonb NOT NULL,
                description_sale jsonb,
                default_code varchar,
                type varchar NOT NULL,
                list_price numeric,
                sale_ok boolean,
                purchase_ok boolean,
                active boolean,
                company_id integer,
                create_date timestamp without time zone,
                write_date timestamp without time zone
            )""",
            """
            CREATE TABLE product_product (
                id serial PRIMARY KEY,
                product_tmpl_id integer NOT NULL,
                default_code varchar,
                barcode varchar,
                active boolean,
                create_date timestamp without time zone,
                write_date timestamp without time zone
            )""",
            """
            CREATE TABLE sale_order (
                id serial PRIMARY KEY,
                name varchar NOT NULL,
                partner_id integer NOT NULL,
                company_id integer NOT NULL,
                user_id integer,
                state varchar,
                invoice_status varchar,
                date_order timestamp without time zone NOT NULL,
                client_order_ref varchar,
                note text,
                amount_untaxed numeric,
                amount_tax numeric,
                amount_total numeric,
                currency_id integer,
                create_date timestamp without time zone,
                write_date timestamp without time zone
            )""",
            """
            CREATE TABLE account_move (
                id serial PRIMARY KEY,
                name varchar,
                ref varchar,
                move_type varchar NOT NULL,
                state varchar NOT NULL,
                payment_state varchar,
                partner_id integer,
                company_id integer NOT NULL,
                journal_id integer NOT NULL,
                currency_id integer NOT NULL,
                date date NOT NULL,
                invoice_date date,
                invoice_date_due date,
                invoice_origin varchar,
                amount_untaxed numeric,
                amount_tax numeric,
                amount_total numeric,
                amount_residual numeric,
                narration text,
                create_date timestamp without time zone,
                write_date timestamp without time zone
            )""",
            """
            CREATE TABLE account_move_line (
                id serial PRIMARY KEY,
                move_id integer NOT NULL,
                move_name varchar,
                partner_id integer,
                product_id integer,
                company_id integer,
                account_id integer NOT NULL,
                display_type varchar,
                name varchar,
                quantity numeric,
                price_unit double precision,
                price_subtotal numeric,
                price_total numeric,
                debit numeric,
                credit numeric,
                balance numeric,
                date date,
                create_date timestamp without time zone,
                write_date timestamp without time zone
            )""",
            """
            CREATE TABLE mail_message (
                id serial PRIMARY KEY,
                subject varchar,
                date timestamp without time zone,
                body text,
                model varchar,
                res_id integer,
                record_name varchar,
                message_type varchar NOT NULL,
                subtype_id integer,
                author_id integer,
                email_from varchar,
                message_id varchar,
                create_date timestamp without time zone,
                write_date timestamp without time zone
            )""",
            """
            CREATE TABLE ir_attachment (
                id serial PRIMARY KEY,
                name varchar NOT NULL,
                description text,
                res_model varchar,
                res_field varchar,
                res_id integer,
                company_id integer,
                type varchar NOT NULL,
                url varchar(1024),
                public boolean,
                access_token varchar,
                db_datas bytea,
                store_fname varchar,
                file_size integer,
                checksum varchar(40),
                mimetype varchar,
                index_content text,
                create_uid integer,
                create_date timestamp without time zone,
                write_date timestamp without time zone
            )""");

    static final List<String> POST_LOAD = List.of(
            "ALTER TABLE res_company ADD CONSTRAINT res_company_partner_id_fkey FOREIGN KEY (partner_id) REFERENCES res_partner(id)",
            "ALTER TABLE res_partner ADD CONSTRAINT res_partner_company_id_fkey FOREIGN KEY (company_id) REFERENCES res_company(id) ON DELETE SET NULL",
            "ALTER TABLE res_partner ADD CONSTRAINT res_partner_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES res_partner(id) ON DELETE SET NULL",
            "ALTER TABLE res_users ADD CONSTRAINT res_users_partner_id_fkey FOREIGN KEY (partner_id) REFERENCES res_partner(id) ON DELETE RESTRICT",
            "ALTER TABLE res_users ADD CONSTRAINT res_users_company_id_fkey FOREIGN KEY (company_id) REFERENCES res_company(id) ON DELETE RESTRICT",
            "ALTER TABLE ir_cron ADD CONSTRAINT ir_cron_user_id_fkey FOREIGN KEY (user_id) REFERENCES res_users(id) ON DELETE RESTRICT",
            "ALTER TABLE payment_provider ADD CONSTRAINT payment_provider_company_id_fkey FOREIGN KEY (company_id) REFERENCES res_company(id) ON DELETE RESTRICT",
            "ALTER TABLE product_product ADD CONSTRAINT product_product_product_tmpl_id_fkey FOREIGN KEY (product_tmpl_id) REFERENCES product_template(id) ON DELETE CASCADE",
            "ALTER TABLE sale_order ADD CONSTRAINT sale_order_partner_id_fkey FOREIGN KEY (partner_id) REFERENCES res_partner(id) ON DELETE RESTRICT",
            "ALTER TABLE account_move ADD CONSTRAINT account_move_partner_id_fkey FOREIGN KEY (partner_id) REFERENCES res_partner(id) ON DELETE RESTRICT",
            "ALTER TABLE account_move_line ADD CONSTRAINT account_move_line_move_id_fkey FOREIGN KEY (move_id) REFERENCES account_move(id) ON DELETE CASCADE",
            "ALTER TABLE account_move_line ADD CONSTRAINT account_move_line_product_id_fkey FOREIGN KEY (product_id) REFERENCES product_product(id) ON DELETE RESTRICT",
            "ALTER TABLE mail_message ADD CONSTRAINT mail_message_author_id_fkey FOREIGN KEY (author_id) REFERENCES res_partner(id) ON DELETE SET NULL",
            "CREATE INDEX res_partner_name_index ON res_partner (name)",
            "CREATE INDEX res_partner_company_id_index ON res_partner (company_id)",
            "CREATE INDEX account_move_partner_id_index ON account_move (partner_id)",
            "CREATE INDEX account_move_date_index ON account_move (date)",
            "CREATE INDEX account_move_line_move_id_index ON account_move_line (move_id)",
            "CREATE INDEX mail_message_model_res_id_idx ON mail_message (model, res_id)",
            "CREATE INDEX ir_attachment_res_idx ON ir_attachment (res_model, res_id)",
            "CREATE INDEX ir_attachment_store_fname_index ON ir_attachment (store_fname)",
            "CREATE INDEX ir_attachment_checksum_index ON ir_attachment (checksum)",
            "CREATE UNIQUE INDEX sale_order_name_company_uniq ON sale_order (name, company_id)");
}
