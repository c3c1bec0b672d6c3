"""Assetline's web server: the GraphQL API (SPEC §7) and the lineage UI (SPEC §8).

``assets_ui.app.create_app`` builds the Starlette application; ``assetline ui`` serves
it with uvicorn. Importing this package imports nothing heavy: the run worker
(``assets_ui.worker``) starts from here without loading the web stack.
"""
