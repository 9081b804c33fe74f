# Shared by backup.sh and restore.sh: where the project is, and how settings are read.
# Sourced, not run.

ROOT="${OPENZERO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"

# Value of KEY: the environment wins over .env, as with dotenv in the daemon.
setting() {
  local key="$1" fallback="${2:-}" line value
  if [[ -n "${!key:-}" ]]; then
    printf '%s' "${!key}"
    return
  fi
  if [[ -f "$ROOT/.env" ]]; then
    line="$(grep -E "^[[:space:]]*(export[[:space:]]+)?${key}=" "$ROOT/.env" | tail -n 1 || true)"
    if [[ -n "$line" ]]; then
      value="${line#*=}"
      value="${value%$'\r'}"
      # Strip one pair of surrounding quotes; unquoted values lose a trailing comment.
      if [[ "$value" =~ ^\"(.*)\"[[:space:]]*$ || "$value" =~ ^\'(.*)\'[[:space:]]*$ ]]; then
        value="${BASH_REMATCH[1]}"
      else
        value="${value%%[[:space:]]#*}"
        value="${value%"${value##*[![:space:]]}"}"
      fi
      if [[ -n "$value" ]]; then
        printf '%s' "$value"
        return
      fi
    fi
  fi
  printf '%s' "$fallback"
}

# Absolute form of a path that may be relative to the project folder.
absolute() {
  case "$1" in
    /*) printf '%s' "$1" ;;
    *) printf '%s/%s' "$ROOT" "${1#./}" ;;
  esac
}

# pid of a live process holding the embedded database, or nothing.
lock_holder() {
  local lock="$1" pid
  [[ -f "$lock" ]] || return 0
  pid="$(tr -dc '0-9' < "$lock")"
  [[ -n "$pid" && "$pid" != 0 ]] || return 0
  if kill -0 "$pid" 2>/dev/null || [[ -d "/proc/$pid" ]]; then printf '%s' "$pid"; fi
}


# Splits a postgres:// URL into PG_SAFE_URL (no password: safe on a command line, where
# `ps` shows it to every local user) and PG_PASSWORD (percent-decoded).
pg_split_url() {
  local url="$1" encoded
  PG_SAFE_URL="$url"
  PG_PASSWORD=""
  if [[ "$url" =~ ^(postgres(ql)?://)([^:@/]*):([^@/]*)@(.*)$ ]]; then
    PG_SAFE_URL="${BASH_REMATCH[1]}${BASH_REMATCH[3]}@${BASH_REMATCH[5]}"
    encoded="${BASH_REMATCH[4]//\\/\\\\}"
    PG_PASSWORD="$(printf '%b' "${encoded//%/\\x}")"
  fi
}

# Writes a libpq password file (mode 0600: libpq ignores looser ones) holding PG_PASSWORD
# for any host, and exports PGPASSFILE pointing at it. Call pg_split_url first.
pg_passfile() {
  local file="$1" escaped
  escaped="${PG_PASSWORD//\\/\\\\}"
  escaped="${escaped//:/\\:}"
  (umask 077 && printf '*:*:*:*:%s\n' "$escaped" > "$file")
  export PGPASSFILE="$file"
}
