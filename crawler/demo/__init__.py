"""The bundled demo news sites (a 临汾 county portal and a 山西日报-like site) for demos and tests."""
