# shellcheck shell=bash
# Puts back the page site.apply.sh saved, or removes the page when there was none.
set -euo pipefail
if [ -e @SAVED@ ]; then mv -f @SAVED@ @PAGE@; elif [ -e @ABSENT@ ]; then rm -f @PAGE@ @ABSENT@; fi
