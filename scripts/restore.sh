#!/usr/bin/env bash
# Restore an archive written by scripts/backup.sh. See usage() below.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/restore.sh [--with-env] [--no-files] [--force] [-h|--help] ARCHIVE
       scripts/restore.sh --verify ARCHIVE

Puts back what scripts/backup.sh saved in ARCHIVE (.tar.gz, .tar.gz.gpg or .tar.gz.age):
  database   PostgreSQL: pg_restore --clean --if-exists into DATABASE_URL.
             Embedded: the current $DATA_DIR/pglite is moved aside to
             $DATA_DIR/pglite.before-restore-<time>, then replaced.
  files      personal/, agent-character.md, recurring-plans.md. The current versions
             are moved to $BACKUP_DIR/before-restore-<time>/ first.

Stop the openzero daemon first; this script refuses to run while it is up
(its DATA_DIR/openzero.pid or the embedded database's lock names a live process,
or its /health port answers).

With --verify, nothing live is touched and the daemon may keep running: the database is
restored into scratch space (PostgreSQL: a temporary database on the DATABASE_URL server,
dropped afterwards; embedded: a temporary folder, opened with `node dist/backup/row-counts-cli.js`),
and its rows per table are compared with counts.tsv, recorded when the backup was made.
Exit status 0 means every table matched.

Options:
  --verify     check the archive as described above; restore nothing.
  --with-env   also restore .env from the archive (when it holds one); the current
               .env is moved aside like the other files.
  --no-files   restore the database only.
  --force      skip the "daemon is running" checks. Only if you are sure it is stopped.
  -h, --help   show this help.

Environment (read from the environment first, then from .env):
  DATABASE_URL, DATA_DIR, HEALTH_HOST, HEALTH_PORT   as for the daemon
  BACKUP_DIR                where set-aside files go (default <project>/backups)
  BACKUP_PASSPHRASE_FILE    passphrase for .gpg archives
  BACKUP_AGE_IDENTITY       identity file for .age archives
  OPENZERO_ROOT             the project folder (default: the folder above this script)
USAGE
}

die() {
  echo "restore: $*" >&2
  exit 1
}

with_env=false
no_files=false
force=false
verify=false
archive=""
while (($# > 0)); do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --with-env) with_env=true ;;
    --no-files) no_files=true ;;
    --force) force=true ;;
    --verify) verify=true ;;
    -*) echo "restore: unknown option: $1" >&2; usage >&2; exit 2 ;;
    *)
      [[ -z "$archive" ]] || { echo "restore: only one archive, please" >&2; usage >&2; exit 2; }
      archive="$1"
      ;;
  esac
  shift
done
[[ -n "$archive" ]] || { echo "restore: which archive? (ls backups/)" >&2; usage >&2; exit 2; }
[[ -f "$archive" ]] || die "no such archive: $archive"

# shellcheck source=scripts/settings.sh
source "$(dirname "${BASH_SOURCE[0]}")/settings.sh"

DATABASE_URL="$(setting DATABASE_URL)"
DATA_DIR="$(absolute "$(setting DATA_DIR ./data)")"
HEALTH_HOST="$(setting HEALTH_HOST 127.0.0.1)"
HEALTH_PORT="$(setting HEALTH_PORT 8787)"
BACKUP_DIR="$(absolute "$(setting BACKUP_DIR ./backups)")"
BACKUP_PASSPHRASE_FILE="$(setting BACKUP_PASSPHRASE_FILE)"
[[ "$HEALTH_HOST" == 0.0.0.0 || "$HEALTH_HOST" == "::" ]] && HEALTH_HOST=127.0.0.1

if [[ "$force" != true && "$verify" != true ]]; then
  holder="$(lock_holder "$DATA_DIR/pglite.lock")"
  [[ -n "$holder" ]] || holder="$(lock_holder "$DATA_DIR/openzero.pid")"
  [[ -z "$holder" ]] || die "the openzero daemon (pid $holder) is running on $DATA_DIR. Stop it first (for example \`kill $holder\` or stop its service), then run the restore again."
  if [[ "$HEALTH_PORT" != 0 ]] && (exec 3<> "/dev/tcp/$HEALTH_HOST/$HEALTH_PORT") 2>/dev/null; then
    die "something answers on the daemon's health port $HEALTH_HOST:$HEALTH_PORT, so openzero looks like it is running. Stop it first (docker compose stop openzero, or stop its service); pass --force if that port belongs to something else."
  fi
fi

umask 077
mkdir -p "$BACKUP_DIR"
# An encrypted archive is unpacked in memory (/dev/shm) when it can be: its plaintext is not
# to reach the disk. Decryption is piped straight into tar.
work_parent="$BACKUP_DIR"
if [[ "$archive" == *.gpg || "$archive" == *.age ]] && [[ -d /dev/shm && -w /dev/shm ]]; then work_parent=/dev/shm; fi
work="$(mktemp -d "$work_parent/.openzero-restore-XXXXXX")"
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM HUP
mkdir "$work/x"

case "$archive" in
  *.gpg)
    [[ -n "$BACKUP_PASSPHRASE_FILE" ]] || die "$archive is encrypted with gpg: set BACKUP_PASSPHRASE_FILE"
    gpg --batch --yes --quiet --pinentry-mode loopback --passphrase-file "$BACKUP_PASSPHRASE_FILE" \
      --decrypt --output - "$archive" | tar -C "$work/x" -xzf -
    ;;
  *.age)
    [[ -n "${BACKUP_AGE_IDENTITY:-}" ]] || die "$archive is encrypted with age: set BACKUP_AGE_IDENTITY to your identity file"
    age --decrypt --identity "$BACKUP_AGE_IDENTITY" "$archive" | tar -C "$work/x" -xzf -
    ;;
  *) tar -C "$work/x" -xzf "$archive" ;;
esac
grep -qx 'format=openzero-backup-1' "$work/x/MANIFEST" 2>/dev/null || die "$archive is not an openzero backup (no MANIFEST)"
kind="$(sed -n 's/^database=//p' "$work/x/MANIFEST")"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"

# The embedded database as a folder in $1: from the daemon's online dump or an offline copy.
embedded_into() {
  local target="$1" top
  mkdir -p "$target"
  if [[ -f "$work/x/pglite.tar.gz" ]]; then
    # PGlite's dump names its members from the data folder's root (/PG_VERSION, /base/…);
    # tar makes them relative and says so on stderr, which is kept for real errors only.
    mkdir "$work/unpacked"
    tar -C "$work/unpacked" -xzf "$work/x/pglite.tar.gz" 2> "$work/tar.err" || { cat "$work/tar.err" >&2; die "cannot unpack pglite.tar.gz"; }
    top="$work/unpacked"
    [[ -f "$top/PG_VERSION" ]] || top="$(find "$work/unpacked" -mindepth 2 -maxdepth 2 -name PG_VERSION -printf '%h\n' | head -n 1)"
    [[ -n "$top" && -f "$top/PG_VERSION" ]] || die "the archive's pglite.tar.gz holds no database folder"
    mv "$top" "$target/pglite"
  elif [[ -d "$work/x/pglite" ]]; then
    mv "$work/x/pglite" "$target/pglite"
  else
    die "the archive has neither pglite.tar.gz nor pglite/"
  fi
}

if [[ "$verify" == true ]]; then
  [[ -f "$work/x/counts.tsv" ]] || die "$archive records no row counts (an offline copy or an older backup); restore it into a scratch DATA_DIR to check it by hand"
  LC_ALL=C sort "$work/x/counts.tsv" > "$work/expected.tsv"
  case "$kind" in
    postgres)
      [[ -n "$DATABASE_URL" ]] || die "verifying a PostgreSQL dump needs DATABASE_URL: the scratch database is made on that server"
      command -v psql > /dev/null && command -v pg_restore > /dev/null || die "psql and pg_restore are needed (apt-get install postgresql-client)"
      pg_split_url "$DATABASE_URL"
      pg_passfile "$work/pgpass"
      scratch="openzero_verify_$(date -u +%Y%m%d%H%M%S)_$$"
      base="${PG_SAFE_URL%%\?*}"
      query="${PG_SAFE_URL#"$base"}"
      scratch_url="${base%/*}/$scratch$query"
      psql --quiet --no-psqlrc --dbname="$PG_SAFE_URL" -c "create database $scratch" > /dev/null ||
        die "cannot create the scratch database $scratch (the DATABASE_URL role needs CREATEDB)"
      trap 'psql --quiet --no-psqlrc --dbname="$PG_SAFE_URL" -c "drop database if exists $scratch with (force)" > /dev/null 2>&1; rm -rf "$work"' EXIT
      pg_restore --no-owner --no-acl --single-transaction --exit-on-error --dbname="$scratch_url" "$work/x/database.dump"
      tables="$(psql --no-psqlrc -At --dbname="$scratch_url" -c "select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'")"
      : > "$work/actual.tsv"
      for table in $tables; do
        printf '%s\t%s\n' "$table" "$(psql --no-psqlrc -At --dbname="$scratch_url" -c "select count(*) from public.\"$table\"")" >> "$work/actual.tsv"
      done
      ;;
    embedded)
      command -v node > /dev/null || die "verifying an embedded database needs node"
      counter="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/dist/backup/row-counts-cli.js"
      [[ -f "$counter" ]] || die "run npm run build first: $counter is missing"
      embedded_into "$work/scratch"
      node "$counter" "$work/scratch/pglite" > "$work/actual.tsv"
      ;;
    *) die "unknown database kind '$kind' in MANIFEST" ;;
  esac
  LC_ALL=C sort -o "$work/actual.tsv" "$work/actual.tsv"
  if ! diff "$work/expected.tsv" "$work/actual.tsv" > "$work/diff"; then
    echo "restore: verify FAILED for $archive: row counts differ (< recorded at backup, > restored):" >&2
    cat "$work/diff" >&2
    exit 1
  fi
  echo "restore: verify ok: $archive restores into scratch space with the recorded rows in all $(wc -l < "$work/expected.tsv") tables ($(awk -F'\t' '{n+=$2} END {print n+0}' "$work/expected.tsv") rows); live data untouched"
  exit 0
fi

case "$kind" in
  postgres)
    [[ -n "$DATABASE_URL" ]] || die "this archive holds a PostgreSQL dump but DATABASE_URL is not set"
    command -v pg_restore > /dev/null || die "pg_restore is not installed (apt-get install postgresql-client)"
    # --clean --if-exists drops what the dump contains before recreating it; one transaction,
    # so a failure leaves the database as it was.
    # The password goes through a 0600 password file, never the command line (`ps` shows argv).
    # --no-acl: grants name roles of the old cluster (openzero_sql_*, openzero_cap_*) that a new
    # one may not have; openzero grants them again at start.
    pg_split_url "$DATABASE_URL"
    pg_passfile "$work/pgpass"
    pg_restore --clean --if-exists --no-owner --no-acl --single-transaction --exit-on-error \
      --dbname="$PG_SAFE_URL" "$work/x/database.dump"
    echo "restore: database restored into DATABASE_URL"
    ;;
  embedded)
    [[ -z "$DATABASE_URL" ]] || die "this archive holds an embedded (PGlite) database but DATABASE_URL is set; unset it to restore into $DATA_DIR"
    embedded_into "$work/db"
    mkdir -p "$DATA_DIR"
    if [[ -e "$DATA_DIR/pglite" ]]; then
      mv "$DATA_DIR/pglite" "$DATA_DIR/pglite.before-restore-$stamp"
      echo "restore: previous embedded database kept at $DATA_DIR/pglite.before-restore-$stamp"
    fi
    mv "$work/db/pglite" "$DATA_DIR/pglite"
    echo "restore: embedded database restored into $DATA_DIR/pglite"
    ;;
  *) die "unknown database kind '$kind' in MANIFEST" ;;
esac

if [[ "$no_files" != true ]]; then
  aside="$BACKUP_DIR/before-restore-$stamp"
  items=(personal agent-character.md recurring-plans.md)
  [[ "$with_env" == true ]] && items+=(.env)
  for item in "${items[@]}"; do
    [[ -e "$work/x/files/$item" ]] || continue
    if [[ -e "$ROOT/$item" ]]; then
      mkdir -p "$aside"
      mv "$ROOT/$item" "$aside/$item"
    fi
    mv "$work/x/files/$item" "$ROOT/$item"
    echo "restore: restored $item"
  done
  [[ -d "$aside" ]] && echo "restore: the files it replaced are in $aside"
  if [[ "$with_env" != true && -e "$work/x/files/.env" ]]; then
    echo "restore: the archive also holds .env; pass --with-env to restore it"
  fi
fi

echo "restore: done. Start openzero again."
