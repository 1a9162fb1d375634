#!/usr/bin/env bash
# Installs what the browser journeys (e2e/*.e2e.test.ts, vitest project "e2e") need beyond npm packages:
# Debian's Chromium (/usr/bin/chromium, driven by playwright-core; `npx playwright install` is not used)
# and fonts for a readable rendering (DejaVu, and Liberation, which the web app's font stack names);
# and LibreOffice Writer without a GUI (`soffice`), which the documents' conversion tests use to check that
# our DOCX and ODT exports open (apps/server/src/modules/docs/conversion).
# Idempotent: installs only what is missing, and does nothing when everything is there.
# When BUREAU_CHROMIUM names an executable, that browser is used and Chromium is not installed.
# Usage: bash scripts/install-test-dependencies.sh
set -euo pipefail

say() { echo "install-test-dependencies: $*"; }
fail() {
  echo "install-test-dependencies: ERROR: $*" >&2
  exit 1
}

chromium="${BUREAU_CHROMIUM:-/usr/bin/chromium}"
if [ -n "${BUREAU_CHROMIUM:-}" ] && [ ! -x "$BUREAU_CHROMIUM" ]; then
  fail "BUREAU_CHROMIUM is set to \"$BUREAU_CHROMIUM\", which is not an executable file."
fi

packages=()
if [ ! -x "$chromium" ]; then packages+=(chromium); fi
# Writer alone, headless: the conversion tests only need `soffice --headless --convert-to`; no Java.
if ! command -v soffice >/dev/null 2>&1; then packages+=(libreoffice-writer-nogui); fi
# Fonts matter only on a Debian-like machine with dpkg; elsewhere the system's fonts are used.
if command -v dpkg-query >/dev/null 2>&1; then
  for font in fonts-dejavu-core fonts-liberation2; do
    if [ "$(dpkg-query -W -f='${Status}' "$font" 2>/dev/null || true)" != "install ok installed" ]; then
      packages+=("$font")
    fi
  done
fi

if [ "${#packages[@]}" -eq 0 ]; then
  say "nothing to install: $chromium, soffice and the fonts are already there."
else
  command -v apt-get >/dev/null 2>&1 ||
    fail "missing ${packages[*]} and apt-get is not available: install Chromium (or set BUREAU_CHROMIUM to its path) and LibreOffice Writer (soffice) yourself."
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || fail "installing ${packages[*]} needs root (or sudo), and sudo is not available."
    sudo=(sudo)
  fi
  started=$SECONDS
  say "installing ${packages[*]} with apt-get..."
  "${sudo[@]}" apt-get update -qq || fail "apt-get update failed (is a Debian mirror reachable?)."
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" ||
    fail "apt-get install ${packages[*]} failed."
  say "installed ${packages[*]} in $((SECONDS - started)) s."
fi

[ -x "$chromium" ] || fail "$chromium is still missing after the installation."
version="$("$chromium" --version 2>/dev/null)" || fail "$chromium does not run (try: $chromium --version)."
say "browser ready: $chromium ($version)."
command -v soffice >/dev/null 2>&1 || fail "soffice (LibreOffice) is still missing after the installation."
say "LibreOffice ready: $(command -v soffice)."
