from bot.cli import main

# Guarded: the letter worker process (``spawn``) imports this module again.
if __name__ == "__main__":
    raise SystemExit(main())
