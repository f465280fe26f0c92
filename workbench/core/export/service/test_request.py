"""Send example_request.json to a running service and print the answer.

    python test_request.py                       # http://127.0.0.1:8000
    python test_request.py http://HOST:PORT      # another address

Exit code 0 when the service answered with one prediction per record, 1 otherwise. Standard
library only, so it runs anywhere Python does.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent / "example_request.json"


def main(argv: list[str]) -> int:
    base = (argv[0] if argv else "http://127.0.0.1:8000").rstrip("/")
    body = EXAMPLE.read_bytes()
    request = urllib.request.Request(
        f"{base}/predict", data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.loads(response.read())
    except urllib.error.HTTPError as error:
        print(f"HTTP {error.code} from {base}/predict:", file=sys.stderr)
        print(error.read().decode("utf-8", "replace"), file=sys.stderr)
        return 1
    except (urllib.error.URLError, OSError) as error:
        print(f"cannot reach {base}: {error}", file=sys.stderr)
        return 1
    print(json.dumps(answer, indent=2))
    sent = len(json.loads(body)["records"])
    if len(answer.get("predictions", [])) != sent:
        print(f"expected {sent} predictions", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
