import type { DbClient } from "../../../electron/engine/dialect/index.js";

/**
 * Two schemas per dialect, written as DDL. B is what the first revision builds; A is the schema
 * autogenerate must reach. Between them: every object kind of issue 3 and well over 30 changes
 * (column type, nullability, default, comment, collation; index, unique, check, foreign key with
 * each action (SET DEFAULT where InnoDB has it); tables, enum values, views, a non-public schema
 * on PostgreSQL).
 */
export const ROUND_TRIP: Record<DbClient, { readonly b: readonly string[]; readonly a: readonly string[] }> = {
  pg: {
    b: [
      `create type mood as enum ('calm', 'angry')`,
      `create schema if not exists billing`,
      `create table customers (id serial primary key, email varchar(100) not null, name varchar(50), status varchar(10) default 'new', score integer, legacy text, mood mood default 'calm', constraint customers_email_key unique (email), constraint score_pos check (score >= 0))`,
      `create index ix_customers_name on customers (name)`,
      `comment on table customers is 'people'`,
      `comment on column customers.email is 'login'`,
      `create table products (id serial primary key, sku varchar(20) not null, price numeric(8,2))`,
      `create table orders (id serial primary key, customer_id integer references customers(id) on delete cascade, total numeric(10,2) not null default 0, placed date, ref integer)`,
      `create index ix_orders_placed on orders (placed)`,
      `create table order_lines (id serial primary key, order_id integer not null references orders(id) on delete cascade, product_id integer references products(id) on delete restrict, qty integer not null)`,
      `create table old_table (id serial primary key, x integer)`,
      `create table billing.invoices (id serial primary key, amount numeric(10,2))`,
      `create view v_customers as select id, email from customers`,
    ],
    a: [
      `create type mood as enum ('calm', 'angry', 'happy')`,
      `create type size as enum ('s', 'm', 'l')`,
      `create schema if not exists billing`,
      `create table customers (id serial primary key, email varchar(200) not null, name varchar(50) not null, status varchar(10) default 'active', score bigint, mood mood default 'calm', phone varchar(30), created timestamptz default now(), code varchar(10) collate "C", constraint customers_phone_key unique (phone), constraint name_len check (length(name) > 1))`,
      `create index ix_customers_status_name on customers (status, name)`,
      `create index ix_customers_lower_email on customers (lower(email))`,
      `create index ix_customers_phone_hash on customers using hash (phone)`,
      `comment on table customers is 'customers'`,
      `comment on column customers.phone is 'mobile'`,
      `create table products (id serial primary key, sku varchar(20) not null, price numeric(10,2), size size, constraint products_sku_key unique (sku))`,
      `create table orders (id serial primary key, customer_id integer references customers(id) on delete set null, total numeric(10,2) not null, placed date not null, note text)`,
      `create index ix_orders_recent on orders (placed) where placed > '2020-01-01'`,
      `comment on table orders is 'orders placed'`,
      `create table order_lines (id serial primary key, order_id integer not null references orders(id) on delete cascade, product_id integer references products(id) on delete cascade on update cascade, qty integer not null default 1)`,
      `create table new_table (id serial primary key, product_id integer references products(id) on delete no action, fallback_id integer default 1 references products(id) on delete set default, label varchar(10) check (label <> ''))`,
      `create table billing.invoices (id serial primary key, amount numeric(12,2), paid boolean default false)`,
      `create view v_customers as select id, email, name from customers`,
      `create view v_orders as select id, total from orders`,
    ],
  },
  mysql2: {
    b: [
      `create table customers (id int unsigned auto_increment primary key, email varchar(100) not null comment 'login', name varchar(50), status varchar(10) default 'new', score int, legacy text, mood enum('calm','angry') default 'calm', unique key customers_email_key (email), key ix_customers_name (name), constraint score_pos check (score >= 0)) comment 'people'`,
      `create table products (id int unsigned auto_increment primary key, sku varchar(20) not null, price decimal(8,2))`,
      `create table orders (id int unsigned auto_increment primary key, customer_id int unsigned, total decimal(10,2) not null default 0, placed date, ref int, key ix_orders_placed (placed), constraint orders_customer_fk foreign key (customer_id) references customers(id) on delete cascade)`,
      `create table order_lines (id int unsigned auto_increment primary key, order_id int unsigned not null, product_id int unsigned, qty int not null, constraint order_lines_order_fk foreign key (order_id) references orders(id) on delete cascade, constraint order_lines_product_fk foreign key (product_id) references products(id) on delete restrict)`,
      `create table old_table (id int unsigned auto_increment primary key, x int)`,
      `create view v_customers as select id, email from customers`,
    ],
    a: [
      `create table customers (id int unsigned auto_increment primary key, email varchar(200) not null, name varchar(50) not null, status varchar(10) default 'active', score bigint, mood enum('calm','angry','happy') default 'calm', phone varchar(30) comment 'mobile', created timestamp null default current_timestamp, code varchar(10) collate utf8mb4_bin, unique key customers_phone_key (phone), key ix_customers_status_name (status, name), fulltext key ix_customers_name_text (name), constraint name_len check (char_length(name) > 1)) comment 'customers'`,
      `create table products (id int unsigned auto_increment primary key, sku varchar(20) not null, price decimal(10,2), size enum('s','m','l'), unique key products_sku_key (sku))`,
      `create table orders (id int unsigned auto_increment primary key, customer_id int unsigned, total decimal(10,2) not null, placed date not null, note text, key ix_orders_recent (placed, total), constraint orders_customer_fk foreign key (customer_id) references customers(id) on delete set null) comment 'orders placed'`,
      `create table order_lines (id int unsigned auto_increment primary key, order_id int unsigned not null, product_id int unsigned, qty int not null default 1, constraint order_lines_order_fk foreign key (order_id) references orders(id) on delete cascade, constraint order_lines_product_fk foreign key (product_id) references products(id) on delete cascade on update cascade)`,
      `create table new_table (id int unsigned auto_increment primary key, product_id int unsigned, label varchar(10), constraint new_table_product_fk foreign key (product_id) references products(id), constraint label_set check (label <> ''))`,
      `create view v_customers as select id, email, name from customers`,
      `create view v_orders as select id, total from orders`,
    ],
  },
  "better-sqlite3": {
    b: [
      `create table customers (id integer primary key autoincrement, email varchar(100) not null, name varchar(50), status varchar(10) default 'new', score integer, legacy text, constraint customers_email_key unique (email), constraint score_pos check (score >= 0))`,
      `create index ix_customers_name on customers (name)`,
      `create table products (id integer primary key, sku varchar(20) not null, price decimal(8,2))`,
      `create table orders (id integer primary key, customer_id integer references customers(id) on delete cascade, total decimal(10,2) not null default 0, placed date, ref integer)`,
      `create index ix_orders_placed on orders (placed)`,
      `create table order_lines (id integer primary key, order_id integer not null references orders(id) on delete cascade, product_id integer references products(id) on delete restrict, qty integer not null)`,
      `create table old_table (id integer primary key, x integer)`,
      `create view v_customers as select id, email from customers`,
    ],
    a: [
      `create table customers (id integer primary key autoincrement, email varchar(200) not null, name varchar(50) not null, status varchar(10) default 'active', score bigint, phone varchar(30), created datetime default CURRENT_TIMESTAMP, code varchar(10) collate nocase, constraint customers_phone_key unique (phone), constraint name_len check (length(name) > 1))`,
      `create index ix_customers_status_name on customers (status, name)`,
      `create index ix_customers_lower_email on customers (lower(email))`,
      `create table products (id integer primary key, sku varchar(20) not null unique, price decimal(10,2))`,
      `create table orders (id integer primary key, customer_id integer references customers(id) on delete set null, total decimal(10,2) not null, placed date not null, note text)`,
      `create index ix_orders_recent on orders (placed) where placed > '2020-01-01'`,
      `create table order_lines (id integer primary key, order_id integer not null references orders(id) on delete cascade, product_id integer references products(id) on delete cascade on update cascade, qty integer not null default 1)`,
      `create table new_table (id integer primary key, product_id integer references products(id) on delete no action, fallback_id integer default 1 references products(id) on delete set default, label varchar(10) check (label <> ''))`,
      `create view v_customers as select id, email, name from customers`,
      `create view v_orders as select id, total from orders`,
    ],
  },
};
