#!/usr/bin/env bash
# The schema a client sees must not break under it. Compares OLD and NEW SDL
# files with GraphQL Inspector (pinned in package.json here, installed on
# first use): fails on a breaking change (a type, field, argument or enum
# value removed or renamed, a required argument or input field added, a type
# narrowed), unless what was removed was already deprecated in OLD.
#   .ci/schema-check/check.sh OLD.graphql NEW.graphql
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ ! -x "$here/node_modules/.bin/graphql-inspector" ]; then
  npm ci --prefix "$here" --no-audit --no-fund --silent >/dev/null
fi
"$here/node_modules/.bin/graphql-inspector" diff "$1" "$2" --rule suppressRemovalOfDeprecatedField
