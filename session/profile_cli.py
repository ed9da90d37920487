"""``axs profile``: check profile files and export the profile JSON schema for editors.

``axs profile check [FILE …]`` loads each file as a session would (``extends`` merged,
every key validated) and prints ``FILE: ok`` or one line naming the bad key; without a
file it checks ``--profile``. ``axs profile schema [-o FILE]`` writes the JSON Schema
(draft 2020-12) that editors use to complete and check profiles (e.g. with the YAML
language server: ``# yaml-language-server: $schema=profile.schema.json``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .profile import ProfileError, load_profile, profile_json_schema


def configure(p: argparse.ArgumentParser) -> None:
    """Add the ``check`` and ``schema`` actions to the ``axs profile`` parser."""
    p.add_argument("action", choices=("check", "schema"), help="check files or print the schema")
    p.add_argument("files", nargs="*", help="profile YAML files to check (default: --profile)")
    p.add_argument("-o", "--output", default=None, help="schema: write to this file")


def _check(names: list[str]) -> int:
    failed = 0
    for name in names:
        try:
            prof = load_profile(name)
        except ProfileError as exc:
            print(f"axs profile check: error: {name}: {exc}", file=sys.stderr)
            failed += 1
        else:
            print(f"{name}: ok (profile {prof.name!r}, hash {prof.content_hash})")
    return 2 if failed else 0


def cmd_profile(args: argparse.Namespace) -> int:
    """Run ``axs profile check|schema``; exit status 2 if a profile is invalid."""
    if args.action == "check":
        if args.output is not None:
            raise ValueError("-o/--output applies to `axs profile schema` only")
        return _check(args.files or [args.profile])
    if args.files:
        raise ValueError("`axs profile schema` takes no file (use -o FILE to write one)")
    text = json.dumps(profile_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if args.output is None:
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"profile schema written to {args.output}")
    return 0
