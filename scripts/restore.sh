#!/usr/bin/env bash
# Restore an archive written by scripts/backup.sh. See usage() below.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/restore.sh [--with-env] [--no-files] [--force] [-h|--help] ARCHIVE

Puts back what scripts/backup.sh saved in ARCHIVE (.tar.gz, .tar.gz.gpg or .tar.gz.age):
  database   PostgreSQL: pg_restore --clean --if-exists into DATABASE_URL.
             Embedded: the current $DATA_DIR/pglite is moved aside to
             $DATA_DIR/pglite.before-restore-<time>, then replaced.
  files      personal/, agent-character.md, recurring-plans.md. The current versions
             are moved to $BACKUP_DIR/before-restore-<time>/ first.

Stop the openzero daemon first; this script refuses to run while it is up
(its DATA_DIR/openzero.pid or the embedded database's lock names a live process,
or its /health port answers).

Options:
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
archive=""
while (($# > 0)); do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --with-env) with_env=true ;;
    --no-files) no_files=true ;;
    --force) force=true ;;
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
BACKUP_DIR="$(absolute "${BACKUP_DIR:-$ROOT/backups}")"
[[ "$HEALTH_HOST" == 0.0.0.0 || "$HEALTH_HOST" == "::" ]] && HEALTH_HOST=127.0.0.1

if [[ "$force" != true ]]; then
  holder="$(lock_holder "$DATA_DIR/pglite.lock")"
  [[ -n "$holder" ]] || holder="$(lock_holder "$DATA_DIR/openzero.pid")"
  [[ -z "$holder" ]] || die "the openzero daemon (pid $holder) is running on $DATA_DIR. Stop it first (for example \`kill $holder\` or stop its service), then run the restore again."
  if [[ "$HEALTH_PORT" != 0 ]] && (exec 3<> "/dev/tcp/$HEALTH_HOST/$HEALTH_PORT") 2>/dev/null; then
    die "something answers on the daemon's health port $HEALTH_HOST:$HEALTH_PORT, so openzero looks like it is running. Stop it first (docker compose stop openzero, or stop its service); pass --force if that port belongs to something else."
  fi
fi

umask 077
mkdir -p "$BACKUP_DIR"
work="$(mktemp -d "$BACKUP_DIR/.restore-XXXXXX")"
trap 'rm -rf "$work"' EXIT

case "$archive" in
  *.gpg)
    [[ -n "${BACKUP_PASSPHRASE_FILE:-}" ]] || die "$archive is encrypted with gpg: set BACKUP_PASSPHRASE_FILE"
    gpg --batch --yes --quiet --pinentry-mode loopback --passphrase-file "$BACKUP_PASSPHRASE_FILE" \
      --decrypt --output "$work/archive.tar.gz" "$archive"
    ;;
  *.age)
    [[ -n "${BACKUP_AGE_IDENTITY:-}" ]] || die "$archive is encrypted with age: set BACKUP_AGE_IDENTITY to your identity file"
    age --decrypt --identity "$BACKUP_AGE_IDENTITY" --output "$work/archive.tar.gz" "$archive"
    ;;
  *) cp "$archive" "$work/archive.tar.gz" ;;
esac
mkdir "$work/x"
tar -C "$work/x" -xzf "$work/archive.tar.gz"
grep -qx 'format=openzero-backup-1' "$work/x/MANIFEST" 2>/dev/null || die "$archive is not an openzero backup (no MANIFEST)"
kind="$(sed -n 's/^database=//p' "$work/x/MANIFEST")"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"

case "$kind" in
  postgres)
    [[ -n "$DATABASE_URL" ]] || die "this archive holds a PostgreSQL dump but DATABASE_URL is not set"
    command -v pg_restore > /dev/null || die "pg_restore is not installed (apt-get install postgresql-client)"
    # --clean --if-exists drops what the dump contains before recreating it; one transaction,
    # so a failure leaves the database as it was.
    # The password goes through a 0600 password file, never the command line (`ps` shows argv).
    pg_split_url "$DATABASE_URL"
    pg_passfile "$work/pgpass"
    pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error \
      --dbname="$PG_SAFE_URL" "$work/x/database.dump"
    echo "restore: database restored into DATABASE_URL"
    ;;
  embedded)
    [[ -z "$DATABASE_URL" ]] || die "this archive holds an embedded (PGlite) database but DATABASE_URL is set; unset it to restore into $DATA_DIR"
    [[ -d "$work/x/pglite" ]] || die "the archive has no pglite/ folder"
    mkdir -p "$DATA_DIR"
    if [[ -e "$DATA_DIR/pglite" ]]; then
      mv "$DATA_DIR/pglite" "$DATA_DIR/pglite.before-restore-$stamp"
      echo "restore: previous embedded database kept at $DATA_DIR/pglite.before-restore-$stamp"
    fi
    mv "$work/x/pglite" "$DATA_DIR/pglite"
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
