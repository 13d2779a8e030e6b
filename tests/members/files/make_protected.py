"""Write protected.xls (password "chibo") from members.xlsx, with LibreOffice (see README.md).

Run with the system Python that has LibreOffice's UNO bridge (Debian: python3-uno), from this folder:
    soffice --headless --norestore --accept="pipe,name=chibo-fixtures;urp;" &
    /usr/bin/python3 make_protected.py
"""

import time
from pathlib import Path

import uno
from com.sun.star.beans import PropertyValue


def props(**values):
    out = []
    for name, value in values.items():
        p = PropertyValue()
        p.Name, p.Value = name, value
        out.append(p)
    return tuple(out)


resolver = uno.getComponentContext().ServiceManager.createInstanceWithContext(
    "com.sun.star.bridge.UnoUrlResolver", uno.getComponentContext()
)
for _ in range(50):
    try:
        context = resolver.resolve("uno:pipe,name=chibo-fixtures;urp;StarOffice.ComponentContext")
        break
    except Exception:
        time.sleep(0.2)
desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
here = Path(__file__).resolve().parent
document = desktop.loadComponentFromURL((here / "members.xlsx").as_uri(), "_blank", 0, props(Hidden=True))
document.storeToURL((here / "protected.xls").as_uri(), props(FilterName="MS Excel 97", Password="chibo"))
document.close(True)
desktop.terminate()
