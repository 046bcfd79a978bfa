"""What every HTTP service of Runicorn (the viewer, the job agent) puts in front of its routes:
the token and origin checks (:mod:`.access`, :mod:`.origin`), the security headers, the one JSON
error shape, and binding a listening socket (:mod:`.listen`). It knows nothing of runs or jobs."""
