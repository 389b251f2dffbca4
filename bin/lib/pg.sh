# shellcheck shell=bash
# PostgreSQL clusters of the local stack: the services' cluster (.state/pg, 15432) and the
# demo Odoo environment's cluster (.state/demo/pg, 15433). initdb and postgres refuse to run
# as root, so as root every server-side command runs as the postgres user (runuser).

# as_pg CMD...: runs a PostgreSQL server binary as the postgres user when we are root.
as_pg() {
    if is_root; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pg_owner() {
    if is_root; then printf 'postgres'; else id -un; fi
}

pg_socket_dir() { printf '%s/pgsock-%s' "$RUN_DIR" "$1"; }

# pg_psql PORT DB SQL: runs SQL as the postgres superuser over the cluster's own socket.
pg_psql() {
    local port="$1" db="$2" sql="$3"
    "$PG_BIN/psql" -h "$(pg_socket_dir "$port")" -p "$port" -U postgres -d "$db" \
        -v ON_ERROR_STOP=1 -qAt -c "$sql"
}

pg_is_running() {
    local datadir="$1"
    [[ -f "$datadir/PG_VERSION" ]] || return 1
    as_pg "$PG_BIN/pg_ctl" status -D "$datadir" >/dev/null 2>&1
}

# pg_prepare_dir DIR: creates DIR owned by the server's user, mode 700, parents traversable.
pg_prepare_dir() {
    local dir="$1"
    mkdir -p "$dir"
    chmod 700 "$dir"
    if is_root; then
        chown postgres: "$dir"
    fi
}

# pg_init NAME DATADIR: initdb once (C locale, UTF8, trust on the socket, scram on TCP).
pg_init() {
    local name="$1" datadir="$2" initlog="$LOG_DIR/initdb-$1.log"
    [[ -f "$datadir/PG_VERSION" ]] && return 0
    log "initdb $name ($datadir)"
    pg_prepare_dir "$datadir"
    if is_root; then
        # every parent must be traversable by postgres
        local d="$datadir"
        while d="$(dirname "$d")" && [[ "$d" != "/" ]]; do
            [[ -x "$d" ]] || die "$d is not traversable; postgres needs o+x on every parent of $datadir"
        done
    fi
    as_pg "$PG_BIN/initdb" -D "$datadir" -U postgres --no-locale -E UTF8 \
        --auth-local=trust --auth-host=scram-sha-256 >"$initlog" 2>&1 \
        || { tail_log "$initlog"; die "initdb failed for $datadir"; }
    printf "\ninclude_if_exists = 'ocore-stack.conf'\n" | as_pg tee -a "$datadir/postgresql.conf" >/dev/null
}

# pg_configure DATADIR PORT EXTRA_SETTINGS: (re)writes ocore-stack.conf and pg_hba.conf;
# applied at the next start.
pg_configure() {
    local datadir="$1" port="$2" extra="$3" sockdir
    sockdir="$(pg_socket_dir "$port")"
    pg_prepare_dir "$sockdir"
    as_pg tee "$datadir/ocore-stack.conf" >/dev/null <<CONF
# Written by bin/stack at every start; edit bin/lib/pg.sh instead.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$sockdir'
unix_socket_permissions = 0770
password_encryption = 'scram-sha-256'
max_connections = 200
shared_buffers = 64MB
logging_collector = off
log_line_prefix = '%m [%p] %q%u@%d '
log_min_messages = warning
$extra
CONF
    as_pg tee "$datadir/pg_hba.conf" >/dev/null <<HBA
# Written by bin/stack. The superuser only over the cluster's own socket directory
# (under .state/run, not world-reachable); every login over TCP needs its password.
# TYPE  DATABASE     USER       ADDRESS        METHOD
local   all          all                       trust
host    all          all        127.0.0.1/32   scram-sha-256
host    replication  all        127.0.0.1/32   scram-sha-256
HBA
}

# pg_start NAME DATADIR PORT: starts the cluster unless it runs; waits until it accepts connections.
pg_start() {
    local name="$1" datadir="$2" port="$3" logfile="$LOG_DIR/$1.log"
    if pg_is_running "$datadir"; then
        info "$name already running (port $port)"
        return 0
    fi
    if port_open "$port"; then
        die "port $port is taken by another process; $name cannot start (see: ss -ltnp 'sport = :$port')"
    fi
    touch "$logfile"
    is_root && chown postgres: "$logfile"
    # 9>&-: the server must not inherit bin/stack's lock (see take_lock)
    as_pg "$PG_BIN/pg_ctl" start -D "$datadir" -l "$logfile" -w -t "$READY_TIMEOUT" >/dev/null 9>&- \
        || { tail_log "$logfile"; die "$name did not start"; }
    poll_until 30 0.2 "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" \
        || { tail_log "$logfile"; die "$name does not accept connections on 127.0.0.1:$port"; }
    ok "$name started (127.0.0.1:$port, data $datadir)"
}

pg_stop() {
    local name="$1" datadir="$2"
    if pg_is_running "$datadir"; then
        if ! as_pg "$PG_BIN/pg_ctl" stop -D "$datadir" -m fast -w -t "$STOP_TIMEOUT" >/dev/null 2>&1; then
            warn "$name did not stop in ${STOP_TIMEOUT}s (fast): stopping it immediately"
            as_pg "$PG_BIN/pg_ctl" stop -D "$datadir" -m immediate -w -t 30 >/dev/null 2>&1 || true
        fi
        info "stopped $name"
    fi
}

# ---------------------------------------------------------------- services' cluster

SERVICE_DATABASES=(ocore_destination ocore_backup ocore_scheduler ocore_restore ocore_alert ocore_wal)

services_pg_up() {
    pg_init pg "$PG_DIR"
    pg_configure "$PG_DIR" "$PG_PORT" ""
    pg_start pg "$PG_DIR" "$PG_PORT"
    # role and databases, idempotent (the password is re-set every time: it is the documented one)
    pg_psql "$PG_PORT" postgres "DO \$\$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') THEN
            CREATE ROLE $DB_USER LOGIN;
        END IF;
        ALTER ROLE $DB_USER LOGIN PASSWORD '$DB_PASSWORD';
    END \$\$;"
    local db
    for db in "${SERVICE_DATABASES[@]}"; do
        if [[ "$(pg_psql "$PG_PORT" postgres "SELECT 1 FROM pg_database WHERE datname = '$db'")" != "1" ]]; then
            pg_psql "$PG_PORT" postgres "CREATE DATABASE $db OWNER $DB_USER"
            info "created database $db"
        fi
    done
}
