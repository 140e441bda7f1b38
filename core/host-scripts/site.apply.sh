# shellcheck shell=bash
# The index page from stdin, replacing the page atomically. The first run saves the page that was there
# (or notes there was none) for site.undo.sh.
set -euo pipefail
install -d -m 0700 @STATE_DIR@
if [ ! -e @SAVED@ ] && [ ! -e @ABSENT@ ]; then
  if [ -e @PAGE@ ]; then cp -a @PAGE@ @SAVED@; else touch @ABSENT@; fi
fi
install -d -m 0755 @DOCROOT@
tmp=$(mktemp @DOCROOT@/.index.XXXXXX)
cat > "$tmp"
chmod 0644 "$tmp"
mv -f "$tmp" @PAGE@
