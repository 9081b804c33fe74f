#!/usr/bin/env bash
# Back up openzero: the database plus the owner's personal files, into one
# timestamped archive. Safe to run from cron or over ssh. See usage() below.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/backup.sh [--with-env] [--force] [--dir DIR] [-h|--help]

Writes backups/openzero-<UTC time>.tar.gz (or $BACKUP_DIR/...) containing:
  database.dump   pg_dump --format=custom of DATABASE_URL, when DATABASE_URL is set (online)
  pglite.tar.gz   the embedded database, dumped by the running daemon through its unix
                  socket $DATA_DIR/control/backup.sock (online, consistent)
  pglite/         or a copy of $DATA_DIR/pglite when the daemon is not running
  counts.tsv      rows per table at the moment of the dump (restore.sh --verify checks them)
  files/          personal/, agent-character.md, recurring-plans.md (and .env with --with-env)
  MANIFEST        what the archive holds

The daemon keeps running: there is nothing to stop. It also runs this script itself every
night (BACKUP_SCHEDULE, default 03:00 in USER_TIMEZONE); use host cron instead if you prefer
(set BACKUP_SCHEDULE=off then).

Encrypt (the default for compose deployments): set BACKUP_PASSPHRASE_FILE (gpg) or
BACKUP_AGE_RECIPIENT (age). The archive is then piped straight into gpg/age and the files
staged for it sit in /dev/shm (memory), removed on exit, so no plaintext lands on disk.

Options:
  --with-env   also store .env. Off by default: .env holds the bot token, API keys and
               the database password, and a backup is usually copied to places the
               server's secrets should not go. Keep .env in a password manager instead,
               or use this flag together with encryption.
  --force      copy the embedded database folder even while a daemon holds it whose backup
               socket does not answer. The copy may be inconsistent.
  --dir DIR    write the archive into DIR (overrides BACKUP_DIR).
  -h, --help   show this help.

Environment (read from the environment first, then from .env):
  DATABASE_URL            PostgreSQL to dump; unset means the embedded database
  DATA_DIR                openzero's data folder (default ./data, relative to the project)
  BACKUP_DIR              where archives go (default <project>/backups)
  BACKUP_SCHEDULE         when the daemon runs this script (default 03:00; off disables)
  BACKUP_KEEP             how many archives to keep; older ones are deleted (default 14)
  BACKUP_PASSPHRASE_FILE  encrypt with `gpg --symmetric` using this passphrase file (.gpg)
  BACKUP_AGE_RECIPIENT    or encrypt with `age -r <recipient>` (.age)
  OPENZERO_ROOT           the project folder (default: the folder above this script)

Example cron line (daily at 03:00):
  0 3 * * * /home/zero/openzero/scripts/backup.sh >> /home/zero/openzero/backups/backup.log 2>&1
USAGE
}

die() {
  echo "backup: $*" >&2
  exit 1
}

with_env=false
force=false
dir_option=""
while (($# > 0)); do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --with-env) with_env=true ;;
    --force) force=true ;;
    --dir)
      (($# > 1)) || { echo "backup: --dir needs a folder" >&2; exit 2; }
      dir_option="$2"
      shift
      ;;
    *) echo "backup: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

# shellcheck source=scripts/settings.sh
source "$(dirname "${BASH_SOURCE[0]}")/settings.sh"

DATABASE_URL="$(setting DATABASE_URL)"
DATA_DIR="$(absolute "$(setting DATA_DIR ./data)")"
BACKUP_DIR="$(absolute "${dir_option:-$(setting BACKUP_DIR ./backups)}")"
BACKUP_KEEP="$(setting BACKUP_KEEP 14)"
BACKUP_PASSPHRASE_FILE="$(setting BACKUP_PASSPHRASE_FILE)"
BACKUP_AGE_RECIPIENT="$(setting BACKUP_AGE_RECIPIENT)"
[[ "$BACKUP_KEEP" =~ ^[1-9][0-9]*$ ]] || die "BACKUP_KEEP must be a whole number above 0 (got '$BACKUP_KEEP')"

if [[ -n "$BACKUP_PASSPHRASE_FILE" ]]; then
  command -v gpg > /dev/null || die "BACKUP_PASSPHRASE_FILE is set but gpg is not installed (apt-get install gnupg)"
  [[ -r "$BACKUP_PASSPHRASE_FILE" ]] || die "cannot read BACKUP_PASSPHRASE_FILE $BACKUP_PASSPHRASE_FILE"
elif [[ -n "$BACKUP_AGE_RECIPIENT" ]]; then
  command -v age > /dev/null || die "BACKUP_AGE_RECIPIENT is set but age is not installed"
fi

# Archives hold personal data and maybe secrets: readable by the owner only.
umask 077
mkdir -p "$BACKUP_DIR"
encrypt=false
[[ -n "$BACKUP_PASSPHRASE_FILE" || -n "$BACKUP_AGE_RECIPIENT" ]] && encrypt=true
# Staged plaintext (dump, files) goes to memory when the archive is to be encrypted, so a
# crash cannot leave it on disk; stages left by a killed run are removed first.
stage_parent="$BACKUP_DIR"
if [[ "$encrypt" == true && -d /dev/shm && -w /dev/shm ]]; then stage_parent=/dev/shm; fi
find "$BACKUP_DIR" /dev/shm -maxdepth 1 -name '.openzero-backup-*' -user "$(id -u)" -mmin +360 -exec rm -rf {} + 2>/dev/null || true
stage="$(mktemp -d "$stage_parent/.openzero-backup-XXXXXX")"
cleanup() { rm -rf "$stage"; }
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
mkdir -p "$stage/files"

if [[ -n "$DATABASE_URL" ]]; then
  kind=postgres
  command -v pg_dump > /dev/null || die "DATABASE_URL is set but pg_dump is not installed (apt-get install postgresql-client)"
  # The password goes through a 0600 password file, never the command line (`ps` shows argv).
  pg_split_url "$DATABASE_URL"
  pg_passfile "$stage/pgpass"
  if ! pg_dump --format=custom --file="$stage/database.dump" --dbname="$PG_SAFE_URL" 2> "$stage/pg_dump.err"; then
    if grep -q 'server version mismatch' "$stage/pg_dump.err" && command -v docker > /dev/null &&
      docker compose -f "$ROOT/docker-compose.yml" ps --status running --services 2>/dev/null | grep -qx postgres; then
      # The host's pg_dump is older than the server: use the one inside the postgres container.
      echo "backup: local pg_dump is older than the server; dumping inside the postgres container" >&2
      # `-e PGPASSWORD` without a value hands the variable over from this environment.
      PGPASSWORD="$PG_PASSWORD" docker compose -f "$ROOT/docker-compose.yml" exec -T -e PGPASSWORD postgres \
        pg_dump --format=custom --dbname="$PG_SAFE_URL" > "$stage/database.dump"
    else
      cat "$stage/pg_dump.err" >&2
      die "pg_dump failed; is PostgreSQL running and DATABASE_URL right?"
    fi
  fi
  rm -f "$stage/pg_dump.err" "$stage/pgpass"
  unset PGPASSFILE
  # Rows per table as they are in the dump itself: COPY blocks, one line per row.
  command -v pg_restore > /dev/null || die "pg_restore is not installed (apt-get install postgresql-client)"
  pg_restore --data-only --file=- "$stage/database.dump" |
    awk '/^COPY /{t=$2; sub(/^public\./,"",t); gsub(/"/,"",t); n=0; on=1; next} on&&/^\\\.$/{print t "\t" n; on=0; next} on{n++}' |
    LC_ALL=C sort > "$stage/counts.tsv"
  db_items=(database.dump counts.tsv)
else
  kind=embedded
  pglite="$DATA_DIR/pglite"
  socket="$DATA_DIR/control/backup.sock"
  [[ -d "$pglite" ]] || die "no embedded database at $pglite (set DATA_DIR, or DATABASE_URL for PostgreSQL)"
  holder="$(lock_holder "$DATA_DIR/pglite.lock")"
  if [[ -n "$holder" && -S "$socket" ]]; then
    # The daemon dumps its own database, consistently, while it keeps running.
    command -v curl > /dev/null || die "the daemon (pid $holder) is running and the online backup needs curl (apt-get install curl)"
    if ! curl --silent --show-error --fail-with-body --max-time 1800 --unix-socket "$socket" -X POST \
      --dump-header "$stage/headers" --output "$stage/pglite.tar.gz" http://openzero/snapshot 2> "$stage/curl.err"; then
      cat "$stage/curl.err" "$stage/pglite.tar.gz" >&2 2>/dev/null || true
      die "the daemon (pid $holder) did not give a snapshot through $socket; see its log"
    fi
    sed -n 's/^x-openzero-row-counts: *//Ip' "$stage/headers" | tr -d '\r' | base64 -d | LC_ALL=C sort > "$stage/counts.tsv"
    rm -f "$stage/headers" "$stage/curl.err"
    db_items=(pglite.tar.gz counts.tsv)
  else
    if [[ -n "$holder" ]]; then
      if [[ "$force" != true ]]; then
        die "the openzero daemon (pid $holder) is using $pglite but its backup socket $socket is missing (a version before online backups?). Stop it first, or update and restart it; or pass --force to copy it anyway (the copy may be inconsistent)."
      fi
      echo "backup: --force: copying $pglite while pid $holder holds it; the copy may be inconsistent" >&2
    fi
    cp -a "$pglite" "$stage/pglite"
    db_items=(pglite)
  fi
fi

for item in personal agent-character.md recurring-plans.md; do
  if [[ -e "$ROOT/$item" ]]; then cp -a "$ROOT/$item" "$stage/files/$item"; fi
done
if [[ "$with_env" == true ]]; then
  [[ -f "$ROOT/.env" ]] || die "--with-env given but there is no $ROOT/.env"
  cp -a "$ROOT/.env" "$stage/files/.env"
fi

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
{
  echo "format=openzero-backup-1"
  echo "created=$stamp"
  echo "database=$kind"
  echo "with_env=$with_env"
} > "$stage/MANIFEST"

# Several backups within one second get -2, -3, ...: one above the highest present, so a
# name is never reused even after retention has deleted an older one of that second.
name="openzero-$stamp"
highest=0
for existing in "$BACKUP_DIR/openzero-$stamp".tar.gz* "$BACKUP_DIR/openzero-$stamp"-*.tar.gz*; do
  [[ -e "$existing" ]] || continue
  suffix="${existing#"$BACKUP_DIR/openzero-$stamp"}"
  suffix="${suffix%%.tar.gz*}"
  n="${suffix#-}"
  [[ -z "$n" ]] && n=1
  [[ "$n" =~ ^[0-9]+$ ]] && ((n > highest)) && highest="$n"
done
((highest > 0)) && name="openzero-$stamp-$((highest + 1))"

archive="$BACKUP_DIR/$name.tar.gz"
# The tar stream goes straight into gpg/age: no plaintext archive is ever written.
# The partial output sits in BACKUP_DIR (same file system) and is renamed into place
# last, so a half-written archive never looks like a backup.
partial="$BACKUP_DIR/.openzero-backup-partial-$$"
trap 'cleanup; rm -f "$partial"' EXIT
if [[ -n "$BACKUP_PASSPHRASE_FILE" ]]; then
  tar -C "$stage" -czf - MANIFEST files "${db_items[@]}" |
    gpg --batch --yes --quiet --pinentry-mode loopback --passphrase-file "$BACKUP_PASSPHRASE_FILE" \
      --symmetric --cipher-algo AES256 --output "$partial"
  archive="$archive.gpg"
elif [[ -n "$BACKUP_AGE_RECIPIENT" ]]; then
  tar -C "$stage" -czf - MANIFEST files "${db_items[@]}" | age --recipient "$BACKUP_AGE_RECIPIENT" --output "$partial"
  archive="$archive.age"
else
  tar -C "$stage" -czf "$partial" MANIFEST files "${db_items[@]}"
fi
mv "$partial" "$archive"

# Retention: newest first by modification time; keep BACKUP_KEEP.
mapfile -t archives < <(ls -1t "$BACKUP_DIR"/openzero-*.tar.gz "$BACKUP_DIR"/openzero-*.tar.gz.gpg "$BACKUP_DIR"/openzero-*.tar.gz.age 2>/dev/null || true)
for old in "${archives[@]:$BACKUP_KEEP}"; do
  rm -f -- "$old"
done

echo "backup: wrote $archive ($kind database)"
