"""On PostgreSQL the database itself keeps an issued invoice as issued: whoever writes (a raw
UPDATE, a script, a future bug in the model's guard), its frozen columns and its lines do not
change, its lines are not deleted or added, and its status moves only forward.

The columns that may still change are the model's INVOICE_MUTABLE_AFTER_ISSUE; the transitions
are its INVOICE_TRANSITIONS. SQLite has no such triggers here: there the model refuses.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION budgets_invoice_frozen() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'invoice % is %: nothing issued is deleted', OLD.number, OLD.status
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status <> 'draft' AND (to_jsonb(NEW) - 'status' - 'paid_on' - 'reminded_at')
            IS DISTINCT FROM (to_jsonb(OLD) - 'status' - 'paid_on' - 'reminded_at') THEN
        RAISE EXCEPTION 'invoice % is %: it never changes', OLD.number, OLD.status
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.status <> OLD.status AND NOT (
        (OLD.status = 'draft' AND NEW.status = 'issued')
        OR (OLD.status = 'issued' AND NEW.status IN ('paid', 'cancelled'))
        OR (OLD.status = 'paid' AND NEW.status = 'cancelled')
    ) THEN
        RAISE EXCEPTION 'invoice % cannot go from % to %', OLD.number, OLD.status, NEW.status
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER budgets_invoice_frozen
    BEFORE UPDATE OR DELETE ON budgets_invoice
    FOR EACH ROW EXECUTE FUNCTION budgets_invoice_frozen();

CREATE OR REPLACE FUNCTION budgets_invoiceline_frozen() RETURNS trigger AS $$
DECLARE
    parent text;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT status INTO parent FROM budgets_invoice WHERE id = OLD.invoice_id;
        -- NULL: the invoice row is already gone (a draft deleted with its lines).
        IF parent IS NOT NULL AND parent <> 'draft' THEN
            RAISE EXCEPTION 'a line of a % invoice never changes', parent
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        SELECT status INTO parent FROM budgets_invoice WHERE id = NEW.invoice_id;
        IF parent <> 'draft' THEN
            RAISE EXCEPTION 'a % invoice takes no new lines', parent
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER budgets_invoiceline_frozen
    BEFORE INSERT OR UPDATE OR DELETE ON budgets_invoiceline
    FOR EACH ROW EXECUTE FUNCTION budgets_invoiceline_frozen();
"""

DROP = """
DROP TRIGGER IF EXISTS budgets_invoiceline_frozen ON budgets_invoiceline;
DROP FUNCTION IF EXISTS budgets_invoiceline_frozen();
DROP TRIGGER IF EXISTS budgets_invoice_frozen ON budgets_invoice;
DROP FUNCTION IF EXISTS budgets_invoice_frozen();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("budgets", "0005_invoice_series_per_issuer")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
