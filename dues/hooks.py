"""How dues answers the signals of the apps below it (filled in with the services)."""


def connect():
    pass
