"""The benchmark: synthetic data at clinic-chain scale (manage.py seed_scale), then real HTTP
load on gunicorn (manage.py bench). Nothing here is mounted unless settings.BENCHMARK is on."""
