"""Session layer: profiles, session building, catalog, replay, spool and the ``axs`` CLI."""
