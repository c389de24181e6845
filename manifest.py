# For freezing the driver into a MicroPython firmware image:
#   include("path/to/bc26/manifest.py")
#
# Frozen modules stay in flash and cost RAM only once imported, so all of
# them are frozen.  The layers, as `import bc26` loads them:
#   core (import bc26): __init__ errors tokenizer rxbuf events
#       parser command checks commands state datapath operations modem
#   on first use: recovery (what the driver does after a fault: a
#       reboot, a lost SEND OK, a stalled push stream),
#       reconcile (the socket table checked with AT+QISTATE after a lost answer),
#       socketpool (bc26.SocketPool), socket_module
#       (bc26.install_socket_module), bringup (start(); on a
#       board unloaded again after it), replies (the replies of the rare
#       operations), services (ping, NTP, DNS servers, QISTATE,
#       QIGETERROR, configure, command), commands_extra (the encoders the
#       driver does not send itself), errtext (the error texts), aio
#       (asyncio shell) with aiosocket (its sockets and streams), power
#       (PWRKEY, RESET and PSM_EINT pulses: a board's wiring imports it)
# package.json lists the same files for `mpremote mip install`.
package("bc26", base_path="micropython", opt=3)
