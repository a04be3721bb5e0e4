#!/bin/sh
# Run by the nginx image's entrypoint before nginx starts: writes the Charge server
# configuration from the environment (see render-config.sh).
set -eu
/usr/local/bin/charge-render-nginx-config /etc/charge/charge.conf.template /etc/nginx/conf.d/default.conf
