"""The command table: name -> handler(modem, command)."""
from . import basic, services, tcpip

COMMANDS = {}
COMMANDS.update(basic.COMMANDS)
COMMANDS.update(tcpip.COMMANDS)
COMMANDS.update(services.COMMANDS)

# The TCP/IP commands: their success resets the last <err> to 0 and their
# failures set it. AT+QIGETERROR only reports it.
TCPIP = frozenset(tcpip.COMMANDS) | frozenset(services.COMMANDS)
TCPIP = TCPIP - {"+QIGETERROR"}
