#!/usr/bin/env bash
# Build the front end of motcua into motcua/static/motcua/ (committed, so running
# the product needs no Node):
#   css/main.css   compiled, compressed design system (scss/main.scss)
#   vendor/        htmx, the CSP build of Alpine.js and Chart.js (UMD), from node_modules
#   fonts/         Be Vietnam Pro woff2, latin + vietnamese subsets, 400/600/700
# Usage: bash frontend/build.sh   (installs node_modules from the lock file if missing)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
static="$(dirname "$here")/motcua/static/motcua"
max_css_bytes=40960

cd "$here"
if [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund
fi

mkdir -p "$static/css" "$static/vendor" "$static/fonts"

# 1. CSS. Any warning (deprecation or @warn) fails the build.
warnings="$(mktemp)"
trap 'rm -f "$warnings"' EXIT
npx --no-install sass --no-source-map --style=compressed --stop-on-error \
  scss/main.scss "$static/css/main.css" 2>"$warnings"
if [ -s "$warnings" ]; then
  cat "$warnings" >&2
  echo "build.sh: sass printed warnings; fix them" >&2
  exit 1
fi
css_bytes=$(wc -c <"$static/css/main.css")
if [ "$css_bytes" -ge "$max_css_bytes" ]; then
  echo "build.sh: main.css is $css_bytes bytes (limit $max_css_bytes)" >&2
  exit 1
fi
if grep -Eiq 'https?:|//[a-z0-9.-]+\.[a-z]{2,}/' "$static/css/main.css"; then
  echo "build.sh: main.css references an external URL" >&2
  exit 1
fi

# 2. Vendored JavaScript (start from empty so an upgrade leaves nothing stale).
rm -f "$static/vendor/"*
cp node_modules/htmx.org/dist/htmx.min.js "$static/vendor/htmx.min.js"
cp node_modules/@alpinejs/csp/dist/cdn.min.js "$static/vendor/alpine-csp.min.js"
# Without its source map comment: the manifest storage would look for the .map we do not ship.
sed '/^\/\/# sourceMappingURL=/d' node_modules/chart.js/dist/chart.umd.min.js >"$static/vendor/chart.umd.min.js"

# 3. Fonts: only what the CSS @font-face rules point at.
rm -f "$static/fonts/"*
for subset in latin vietnamese; do
  for weight in 400 600 700; do
    cp "node_modules/@fontsource/be-vietnam-pro/files/be-vietnam-pro-$subset-$weight-normal.woff2" "$static/fonts/"
  done
done
cp node_modules/@fontsource/be-vietnam-pro/LICENSE "$static/fonts/OFL.txt"

# 4. Provenance: which package versions produced these files, and their licences.
node -e '
const pkgs = ["htmx.org", "@alpinejs/csp", "chart.js", "@fontsource/be-vietnam-pro", "sass"];
for (const name of pkgs) {
  const p = require(`./node_modules/${name}/package.json`);
  console.log(`${p.name}@${p.version} (${p.license})`);
}' >"$static/vendor/VERSIONS.txt"

echo "build.sh: main.css ${css_bytes} bytes; vendor and fonts copied to $static"
