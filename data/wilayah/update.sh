#!/usr/bin/env bash
# Rebuilds data/wilayah/ from the npm package idn-area-data (data: ODbL 1.0, code: MIT).
# Usage: data/wilayah/update.sh [VERSION]   (default 3.1.2, the version Posko ships)
# What the conversion does, and nothing more:
#   - keeps provinces, regencies and districts as they are (code,parent,name);
#   - splits villages into one file per province (villages/PP.csv), so no file is huge;
#   - replaces the 24 bare double quotes in village names (e.g. Soka"an) by an apostrophe
#     (Soka'an): the source uses '"' for the glottal-stop apostrophe in Madurese names, and a
#     bare quote inside an unquoted CSV field is not valid CSV;
#   - leaves out islands.csv, which Posko does not use.
set -euo pipefail
version=${1:-3.1.2}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "idn-area-data@$version" >/dev/null && tar xzf idn-area-data-*.tgz)
src="$work/package/data"
cp "$src/LICENSE.md" "$here/LICENSE-ODbL.md"
echo "code,name" > "$here/provinces.csv"
tail -n +2 "$src/provinces.csv" >> "$here/provinces.csv"
cp "$src/regencies.csv" "$here/regencies.csv"
cp "$src/districts.csv" "$here/districts.csv"
rm -rf "$here/villages" && mkdir -p "$here/villages"
tail -n +2 "$src/villages.csv" | tr '"' "'" | awk -F, -v dir="$here/villages" '
  { p = substr($1, 1, 2); f = dir "/" p ".csv"
    if (!(p in seen)) { print "code,district_code,name" > f; seen[p] = 1 }
    print >> f }'
echo "idn-area-data $version" > "$here/VERSION"
echo "done: $(ls "$here/villages" | wc -l) province files"
