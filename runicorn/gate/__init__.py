"""What every HTTP service of Runicorn (the viewer, the job agent) puts in front of its routes:
one middleware stack (:mod:`.guard`) of the token and origin checks (:mod:`.access`,
:mod:`.origin`) and the security headers, the one JSON error shape, and binding a listening
socket and serving on it (:mod:`.listen`). It knows nothing of runs or jobs."""
