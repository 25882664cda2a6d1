#!/bin/sh
# The tree's rules (includes point down, library headers stay home, *_int.h
# stays in its folder, files stay short): tools/layout-check.py.
cd "$(dirname "$0")/../.." || exit 2
exec python3 tools/layout-check.py
