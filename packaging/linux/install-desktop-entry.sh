#!/bin/sh
# Add ML Workbench to the desktop's application menu for this user (no root needed): the menu
# entry, its icon and the project file type (double-clicking a project.json opens the
# workbench). The entry points at this folder, so run it again after moving the folder.
# `install-desktop-entry.sh --remove` takes them out again.
set -eu
HERE="$(cd "$(dirname "$0")" && pwd)"
DATA="${XDG_DATA_HOME:-$HOME/.local/share}"
APPS="$DATA/applications"
ICONS="$DATA/icons/hicolor/256x256/apps"
MIME="$DATA/mime"
refresh() {
    command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$APPS" || true
    command -v update-mime-database >/dev/null 2>&1 && update-mime-database "$MIME" || true
}
if [ "${1:-}" = "--remove" ]; then
    rm -f "$APPS/ml-workbench.desktop" "$ICONS/ml-workbench.png" "$MIME/packages/ml-workbench.xml"
    refresh
    echo "ML Workbench removed from the application menu"
    exit 0
fi
mkdir -p "$APPS" "$ICONS" "$MIME/packages"
cp "$HERE/ml-workbench.png" "$ICONS/ml-workbench.png"
cp "$HERE/ml-workbench-mime.xml" "$MIME/packages/ml-workbench.xml"
# Quote the path: the folder may have spaces in its name.
sed "s|^Exec=workbench|Exec=\"$HERE/workbench\"|" "$HERE/ml-workbench.desktop" > "$APPS/ml-workbench.desktop"
refresh
echo "ML Workbench added to the application menu ($APPS/ml-workbench.desktop)"
