"""The event bus: versioned events out of the services' outboxes, into the engine.

Importing this package loads no broker client: ``rabbitmq``, ``kafka``, ``webhook`` and
``sql_outbox`` each import their own library, so a service installs only the transport it uses
(``kafka_wire`` is the client-free part settings need to validate a ``kafka://`` URL).
"""
