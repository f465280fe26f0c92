# Shared by postinst and postrm (build.py writes it into both): refresh the desktop's menu, MIME
# and icon caches so the entry, the project file type and the icon appear or go at once. Each
# tool is optional (a server or a minimal system has none of them) and its failure must never
# fail the install or the removal; Debian's own triggers refresh the same caches where the
# tools are installed, so a skipped refresh is caught up later.
refresh_desktop_caches() {
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q /usr/share/applications || true
    fi
    if command -v update-mime-database >/dev/null 2>&1; then
        update-mime-database /usr/share/mime || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1 \
        && [ -f /usr/share/icons/hicolor/icon-theme.cache ]; then
        gtk-update-icon-cache -q -t -f /usr/share/icons/hicolor || true
    fi
}
