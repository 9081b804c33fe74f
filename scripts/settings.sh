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

