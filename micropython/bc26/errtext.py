"""The manual's texts for the module's <err> codes (chapter 3), loaded
when an error is first described: a board that never fails never carries
them."""

# Descriptions as AT+QIGETERROR prints them (lower case, manual example 4.6).
ERRORS = {
    0: "operation successful",
    550: "unknown error",
    551: "operation blocked",
    552: "invalid parameters",
    553: "memory not enough",
    554: "create socket failed",
    555: "operation not supported",
    556: "socket bind failed",
    557: "socket listen failed",
    558: "socket write failed",
    559: "socket read failed",
    560: "socket accept failed",
    561: "open pdp context failed",
    562: "close pdp context failed",
    563: "socket identity has been used",
    564: "dns busy",
    565: "dns parse failed",
    566: "socket connection failed",
    567: "socket has been closed",
    568: "operation busy",
    569: "operation timeout",
    570: "pdp context broken down",
    571: "cancel send",
    572: "operation not allowed",
    573: "apn not configured",
    574: "port busy",
}


def code_of(text):
    """The code of a verbose error's text (+CME ERROR: <text>, after
    AT+CMEE=2) in the manual's table; -1 for a text it does not hold."""
    text = text.lower()
    for code in ERRORS:
        if ERRORS[code] == text:
            return code
    return -1
