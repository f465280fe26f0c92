#!/bin/sh
# Add ML Workbench to the desktop's application menu for this user (no root needed):
# the desktop entry points at this folder, so run it again after moving the folder.
# `install-desktop-entry.sh --remove` takes the entry out again.
set -eu
HERE="$(cd "$(dirname "$0")" && pwd)"
APPS="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
ICONS="${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor/256x256/apps"
if [ "${1:-}" = "--remove" ]; then
    rm -f "$APPS/ml-workbench.desktop" "$ICONS/ml-workbench.png"
    echo "ML Workbench removed from the application menu"
    exit 0
fi
mkdir -p "$APPS" "$ICONS"
cp "$HERE/ml-workbench.png" "$ICONS/ml-workbench.png"
# Quote the path: the folder may have spaces in its name.
sed "s|^Exec=workbench|Exec=\"$HERE/workbench\"|" "$HERE/ml-workbench.desktop" > "$APPS/ml-workbench.desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$APPS" || true
echo "ML Workbench added to the application menu ($APPS/ml-workbench.desktop)"
