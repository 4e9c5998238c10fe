"""Start Facilitator: `python main.py` does what the `facilitator` command does."""

from facilitator.app import main

if __name__ == "__main__":
    raise SystemExit(main())
