"""Wrong (Python): the relay saves its position after each acknowledged batch but never reads
it back at start-up: after a restart it starts from 0 and publishes again every row still in
the table (one row per customer), below its saved position."""
import json, os, sys, time
import psycopg
from confluent_kafka import Producer

RELAY = 'customers-relay'
conf = {'bootstrap.servers': os.environ['KAFKA_BROKERS'], 'acks': 'all', 'enable.idempotence': True, 'linger.ms': 5}
if os.environ.get('KAFKA_SASL_MECHANISM'):
    conf.update({'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': os.environ['KAFKA_SASL_MECHANISM'].upper(),
                 'sasl.username': os.environ.get('KAFKA_SASL_USERNAME', ''), 'sasl.password': os.environ.get('KAFKA_SASL_PASSWORD', '')})
producer = Producer(conf)
TOPIC = os.environ['CHANGES_TOPIC']
DB = os.environ['DATABASE_URL']

conn = None
def db():
    global conn
    if conn is None or conn.closed:
        conn = psycopg.connect(DB, autocommit=True)
    return conn

def read_position():
    while True:
        try:
            row = db().execute('SELECT last_change_id FROM relay_position WHERE relay = %s', (RELAY,)).fetchone()
            return int(row[0]) if row else 0
        except Exception as e:
            print(f'position read failed: {e}', file=sys.stderr, flush=True)
            try: conn.close()
            except Exception: pass
            time.sleep(0.2)

position = 0  # kept in memory; the table is written for the lab but never read back
print(f'starting after {position}', flush=True)

while True:
    try:
        rows = db().execute('SELECT customer_id, name, email, tier, updated_at, change_id FROM customers WHERE change_id > %s ORDER BY change_id LIMIT 100', (position,)).fetchall()
        if rows:
            errors = []
            def cb(err, msg):
                if err is not None: errors.append(err)
            for cid, name, email, tier, updated_at, change_id in rows:
                value = {'changeId': int(change_id), 'customerId': cid, 'name': name, 'email': email, 'tier': tier, 'updatedAt': updated_at.isoformat()}
                producer.produce(TOPIC, key=cid.encode(), value=json.dumps(value).encode(), on_delivery=cb)
            remaining = producer.flush(30)
            if remaining or errors:
                raise RuntimeError(f'delivery failed: {errors} remaining={remaining}')
            last = rows[-1]
            db().execute('INSERT INTO relay_position (relay, last_change_id, last_updated_at, saved_at) VALUES (%s, %s, %s, now()) '
                         'ON CONFLICT (relay) DO UPDATE SET last_change_id = EXCLUDED.last_change_id, last_updated_at = EXCLUDED.last_updated_at, saved_at = now()',
                         (RELAY, last[5], last[4]))
            position = int(last[5])
            print(f'published {len(rows)}, position {position}', flush=True)
            if len(rows) == 100: continue
    except Exception as e:
        print(f'poll failed: {e}', file=sys.stderr, flush=True)
        try:
            if conn is not None: conn.close()
        except Exception: pass
    time.sleep(0.15)
