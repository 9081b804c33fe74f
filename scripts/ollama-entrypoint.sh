#!/usr/bin/env bash
# Entrypoint for the ollama container (see docker-compose.yml): start the server,
# wait until it answers, pull $OLLAMA_MODEL when it is not there yet, then stay
# attached to the server so the container lives and dies with it.
set -euo pipefail

READY_MARKER=/tmp/ollama-model-ready
rm -f "$READY_MARKER"

ollama serve &
server_pid=$!

# Pass SIGTERM/SIGINT from `docker stop` on to the server so it exits cleanly.
trap 'kill -TERM "$server_pid" 2>/dev/null || true' TERM INT

echo "ollama-entrypoint: waiting for the Ollama server..."
until ollama list > /dev/null 2>&1; do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "ollama-entrypoint: the Ollama server exited during start-up" >&2
    wait "$server_pid" || exit $?
    exit 1
  fi
  sleep 1
done
echo "ollama-entrypoint: server is up."

if [[ -n "${OLLAMA_MODEL:-}" ]]; then
  if ollama show "$OLLAMA_MODEL" > /dev/null 2>&1; then
    echo "ollama-entrypoint: model $OLLAMA_MODEL is already present."
  else
    echo "ollama-entrypoint: pulling $OLLAMA_MODEL (first start only; this can take a while)..."
    # A failed pull (no network, typo in the name) leaves the server running so
    # the owner can fix it with `docker compose exec ollama ollama pull <model>`.
    if ollama pull "$OLLAMA_MODEL"; then
      echo "ollama-entrypoint: pulled $OLLAMA_MODEL."
    else
      echo "ollama-entrypoint: could not pull $OLLAMA_MODEL; openzero and npm run doctor report it missing until it is present." >&2
    fi
  fi
  if ollama show "$OLLAMA_MODEL" > /dev/null 2>&1; then touch "$READY_MARKER"; fi
else
  echo "ollama-entrypoint: OLLAMA_MODEL is not set; nothing to pull."
  touch "$READY_MARKER"
fi

# `wait` returns early when a trapped signal arrives; keep waiting until the server is gone.
while kill -0 "$server_pid" 2>/dev/null; do
  wait "$server_pid" || true
done
status=0
wait "$server_pid" || status=$?
exit "$status"
