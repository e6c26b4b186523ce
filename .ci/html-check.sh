#!/usr/bin/env bash
# html-check.sh PAGE.html OUT.png
#
# Opens a heval HTML report in headless Chromium (it installs nothing: .ci/run installs the
# `chromium` package) and fails when the page does not render, logs a console error, makes a
# network request, or refers to an external resource. Saves a screenshot to OUT.png.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 PAGE.html OUT.png" >&2
  exit 2
fi
page=$(realpath "$1")
out=$2
[ -s "$page" ] || { echo "html-check: $page is missing or empty" >&2; exit 1; }
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "html-check: chromium is not installed (apt-get install chromium)" >&2; exit 1; }

fail() { echo "html-check: $*" >&2; exit 1; }

# 1. Static check: no external resources. Only plain <a href> link-outs to Helicone request
#    pages may point off the page; nothing may be loaded from a URL.
if grep -Eio '(src|srcset|action|xlink:href|poster|data)[[:space:]]*=[[:space:]]*["'"'"']?[[:space:]]*(https?:)?//' "$page" | head -1 | grep -q .; then
  fail "the page loads a resource from a URL: $(grep -Eio '(src|srcset|action|xlink:href|poster|data)[[:space:]]*=[[:space:]]*["'"'"']?[[:space:]]*(https?:)?//[^"'"'"' >]*' "$page" | head -3)"
fi
bad_links=$(grep -Eio 'href[[:space:]]*=[[:space:]]*["'"'"']?[[:space:]]*(https?:)?//[^"'"'"' >]*' "$page" \
  | grep -Eiv 'href="https://(us|eu)\.helicone\.ai/requests\?requestId=' || true)
[ -z "$bad_links" ] || fail "the page links outside Helicone request pages: $(echo "$bad_links" | head -3)"
if grep -Eiq '<link[[:space:]]|@import|url\([[:space:]]*["'"'"']?(https?:)?//' "$page"; then
  fail "the page refers to an external stylesheet or font"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
  --disable-background-networking --disable-component-update --disable-sync
  --disable-default-apps --disable-extensions --mute-audio --hide-scrollbars
  --host-resolver-rules="MAP * ~NOTFOUND" --user-data-dir="$work/profile" --enable-logging=stderr --v=0
  --log-net-log="$work/net.json" --net-log-capture-mode=Default)

# 2. Render the DOM: the page must load and its script must run without errors.
timeout 90 "$browser" "${flags[@]}" --virtual-time-budget=3000 --dump-dom "file://$page" \
  >"$work/dom.html" 2>"$work/dom.log" || fail "chromium could not render the page: $(tail -5 "$work/dom.log")"
grep -q '</html>\|</body>' "$work/dom.html" || fail "the rendered DOM is empty"
grep -q 'id="summary"' "$work/dom.html" || fail "the rendered page has no summary section"

# 3. Screenshot.
timeout 90 "$browser" "${flags[@]}" --virtual-time-budget=3000 --window-size=1280,2000 \
  --screenshot="$work/shot.png" "file://$page" >/dev/null 2>"$work/shot.log" \
  || fail "chromium could not take a screenshot: $(tail -5 "$work/shot.log")"
[ -s "$work/shot.png" ] || fail "chromium wrote no screenshot"
cp "$work/shot.png" "$out"

# 4. Console errors (uncaught exceptions, CSP violations, failed loads) in either session.
#    Chromium logs every console message at one level, and the page logs nothing of its
#    own, so any console message counts as an error.
if grep -hE 'CONSOLE|Uncaught|Refused to|Content Security Policy|net::ERR_' "$work/dom.log" "$work/shot.log" | grep -q .; then
  echo "html-check: the page logged console errors:" >&2
  grep -hE 'CONSOLE|Uncaught|Refused to|Content Security Policy|net::ERR_' "$work/dom.log" "$work/shot.log" | head -10 >&2
  exit 1
fi

# 5. Network: the net log must show no request made by the page. Chromium's own background
#    requests (initiator "not an origin") are kept off the network by the resolver rule above.
if [ -s "$work/net.json" ]; then
  remote=$(grep -E '"initiator":"' "$work/net.json" | grep -Ev '"initiator":"not an origin"' \
    | grep -Eo '"url":"(https?|wss?|ftp)://[^"]*"' | sort -u || true)
  [ -z "$remote" ] || fail "the page made network requests: $(echo "$remote" | head -5)"
fi
echo "html-check: $1 renders with no console errors and no network requests; screenshot in $out"
