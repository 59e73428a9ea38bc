#!/usr/bin/env bash
# Re-fetches the GraphiQL playground assets from the npm registry by exact version.
# They are committed and embedded in the binary (include_bytes!), so the playground
# works with no network; run this only to update them, then bump the versions here.
set -euo pipefail
cd "$(dirname "$0")"
GRAPHIQL=4.1.2
REACT=18.3.1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "graphiql@$GRAPHIQL" "react@$REACT" "react-dom@$REACT" >/dev/null)
for t in "$work"/*.tgz; do d="$work/$(basename "$t" .tgz)"; mkdir -p "$d"; tar xzf "$t" -C "$d"; done
cp "$work/graphiql-$GRAPHIQL/package/graphiql.min.js" graphiql.min.js
cp "$work/graphiql-$GRAPHIQL/package/graphiql.min.css" graphiql.min.css
cp "$work/graphiql-$GRAPHIQL/package/LICENSE" LICENSE.graphiql
cp "$work/react-$REACT/package/umd/react.production.min.js" react.production.min.js
cp "$work/react-$REACT/package/LICENSE" LICENSE.react
cp "$work/react-dom-$REACT/package/umd/react-dom.production.min.js" react-dom.production.min.js
cp "$work/react-dom-$REACT/package/LICENSE" LICENSE.react-dom
# Drop source-map comments: the maps are not shipped.
sed -i 's|//# sourceMappingURL=.*$||' graphiql.min.js react.production.min.js react-dom.production.min.js
sed -i 's|/\*# sourceMappingURL=.*\*/||' graphiql.min.css
echo "graphiql@$GRAPHIQL react@$REACT react-dom@$REACT" > VERSIONS
