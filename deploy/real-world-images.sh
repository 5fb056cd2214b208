#!/usr/bin/env bash
# Fetches real-world test images from Debian packages into .cache/real-world-images/, for
# service/test/flip/real-world-images.test.ts. Nothing is installed: each package is downloaded with
# `apt-get download` and only its image files are unpacked, one folder per package version. The files stay
# under their packages' licences (see each folder's copyright file) and are never committed.
#   gdk-pixbuf-tests    GdkPixbuf's test images: odd variants, broken files, fuzzer finds, GIF test suite
#   imagemagick-6-doc   the photos and web graphics of ImageMagick's documentation
#   libtiff-doc         the pictures of libtiff's documentation
#   libsdl2-image-tests SDL_image's test images (BMP variants among them)
# Idempotent: a version already unpacked is used as it is. Prints the folders it uses.
set -euo pipefail

PACKAGES=(gdk-pixbuf-tests imagemagick-6-doc libtiff-doc libsdl2-image-tests)
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${repo_root}/.cache/real-world-images"

log() { printf 'real-world-images: %s\n' "$*" >&2; }

command -v apt-get >/dev/null 2>&1 || { log "needs apt-get (Debian/Ubuntu)"; exit 1; }
candidate() { apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { print $2 }'; }
if [ -z "$(candidate "${PACKAGES[0]}")" ] || [ "$(candidate "${PACKAGES[0]}")" = "(none)" ]; then
  [ "$(id -u)" -eq 0 ] || { log "no package lists: run 'apt-get update' as root, then rerun"; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
fi

mkdir -p "$cache"
wanted=()
for package in "${PACKAGES[@]}"; do
  version="$(candidate "$package")"
  folder="${package}_${version//:/%3a}"
  wanted+=("$folder")
  target="${cache}/${folder}"
  if [ ! -d "$target" ]; then
    log "unpacking the images of ${package} ${version}"
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    # apt's sandbox user cannot write to a private temporary folder: the download runs as the caller.
    (cd "$work" && apt-get download -q -o APT::Sandbox::User="$(id -un)" "${package}=${version}" >/dev/null)
    dpkg-deb -x "$work"/*.deb "$work/root"
    rm -rf "$target.partial" && mkdir -p "$target.partial"
    (cd "$work/root" && find . -type f -iregex '.*\.\(png\|jpe?g\|gif\|bmp\|tiff?\)' -print0 |
      tar --null --files-from=- -cf -) | tar -xf - -C "$target.partial"
    # The package's licence terms beside its files (a doc package may keep them in the package it documents).
    copyright="$(find "$work/root/usr/share/doc" -name copyright -type f -print -quit)"
    if [ -n "$copyright" ]; then cp "$copyright" "$target.partial/copyright"; fi
    mv "$target.partial" "$target"
    rm -rf "$work"
  fi
  echo "$target"
done
# Versions the archive has moved past are not needed any more.
for folder in "$cache"/*; do
  grep -qxF "$(basename "$folder")" <<<"$(printf '%s\n' "${wanted[@]}")" || rm -rf "$folder"
done
