from facilitator.app import main

# Guarded: worker processes (spawned by `export sessions`) import this module too.
if __name__ == "__main__":
    raise SystemExit(main())
