#!/bin/sh
# Renders docker/nginx/charge.conf.template into an nginx server configuration.
#
#   render-config.sh [TEMPLATE] OUTPUT
#
# Environment:
#   CHARGE_LISTEN         listen address            (default 8080)
#   CHARGE_WEB_ROOT       directory of the built web client (default /usr/share/nginx/html)
#   CHARGE_API_UPSTREAMS  the charge servers, host:port separated by spaces or commas
#                         (default api:8000); several servers are balanced round-robin
#
# The frontend image runs it at every start (/docker-entrypoint.d/40-charge-config.sh); the
# test suite runs the same script to render a configuration for a local nginx.
set -eu

if [ $# -eq 1 ]; then
    template="$(dirname "$0")/charge.conf.template"
    output=$1
elif [ $# -eq 2 ]; then
    template=$1
    output=$2
else
    echo "usage: $0 [TEMPLATE] OUTPUT" >&2
    exit 2
fi

listen="${CHARGE_LISTEN:-8080}"
web_root="${CHARGE_WEB_ROOT:-/usr/share/nginx/html}"
upstreams="$(printf '%s' "${CHARGE_API_UPSTREAMS:-api:8000}" | tr ',' ' ')"

for value in "$listen" "$web_root" $upstreams; do
    case "$value" in
        *[\;\{\}\|\&\ \	\"\'\\]* | "")
            echo "render-config.sh: refusing unsafe value '$value'" >&2
            exit 2
            ;;
    esac
done

servers=""
for server in $upstreams; do
    servers="${servers}    server ${server} max_fails=3 fail_timeout=10s;
"
done
[ -n "$servers" ] || { echo "render-config.sh: CHARGE_API_UPSTREAMS is empty" >&2; exit 2; }

tmp="${output}.tmp.$$"
awk -v listen="$listen" -v root="$web_root" -v servers="$servers" '
    /@@API_SERVERS@@/ { printf "%s", servers; next }
    { gsub(/@@LISTEN@@/, listen); gsub(/@@WEB_ROOT@@/, root); print }
' "$template" >"$tmp"
mv "$tmp" "$output"
echo "render-config.sh: wrote $output (listen $listen, root $web_root, api: $upstreams)" >&2
