"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 12:34:24.761443
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


# The event log is append-only: the database itself refuses edits, whatever the client.
_SQLITE_TRIGGERS = [
    """CREATE TRIGGER event_log_no_update BEFORE UPDATE ON event_log
       BEGIN SELECT RAISE(ABORT, 'event_log is append-only'); END""",
    """CREATE TRIGGER event_log_no_delete BEFORE DELETE ON event_log
       BEGIN SELECT RAISE(ABORT, 'event_log is append-only'); END""",
]
_PG_TRIGGERS = [
    """CREATE OR REPLACE FUNCTION event_log_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'event_log is append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER event_log_no_change BEFORE UPDATE OR DELETE ON event_log
       FOR EACH ROW EXECUTE FUNCTION event_log_append_only()""",
]


def _append_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    for stmt in {"sqlite": _SQLITE_TRIGGERS, "postgresql": _PG_TRIGGERS}.get(dialect, []):
        op.execute(stmt)


def upgrade() -> None:
    op.create_table('event_log',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('ts', sa.DateTime(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('shopper_id', sa.String(length=64), nullable=True),
    sa.Column('session_id', sa.String(length=64), nullable=True),
    sa.Column('query', sa.String(length=300), nullable=True),
    sa.Column('language', sa.String(length=2), nullable=True),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('seller_id', sa.String(length=64), nullable=True),
    sa.Column('page', sa.String(length=32), nullable=True),
    sa.Column('slot', sa.Integer(), nullable=True),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('keyword', sa.String(length=100), nullable=True),
    sa.Column('qty', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_log'))
    )
    with op.batch_alter_table('event_log', schema=None) as batch_op:
        batch_op.create_index('ix_event_log_kind_ts', ['kind', 'ts'], unique=False)
        batch_op.create_index('ix_event_log_seller_kind_ts', ['seller_id', 'kind', 'ts'], unique=False)
        batch_op.create_index('ix_event_log_shopper_ts', ['shopper_id', 'ts'], unique=False)

    op.create_table('meta',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_meta'))
    )
    op.create_table('sellers',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sellers'))
    )
    op.create_table('shoppers',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('gender', sa.String(length=8), nullable=True),
    sa.Column('age_band', sa.String(length=16), nullable=True),
    sa.Column('married', sa.Boolean(), nullable=True),
    sa.Column('kids_count', sa.Integer(), nullable=True),
    sa.Column('household_size', sa.Integer(), nullable=True),
    sa.Column('income_band', sa.String(length=32), nullable=True),
    sa.Column('language', sa.String(length=2), nullable=True),
    sa.Column('lifestyle', sa.JSON(), nullable=True),
    sa.Column('attributes', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shoppers'))
    )
    op.create_table('ad_campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('daily_budget', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['seller_id'], ['sellers.id'], name=op.f('fk_ad_campaigns_seller_id_sellers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ad_campaigns')),
    sa.UniqueConstraint('seller_id', 'name', name='uq_ad_campaigns_seller_name')
    )
    with op.batch_alter_table('ad_campaigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ad_campaigns_seller_id'), ['seller_id'], unique=False)

    op.create_table('api_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.String(length=64), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['seller_id'], ['sellers.id'], name=op.f('fk_api_keys_seller_id_sellers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_keys_key_hash'))
    )
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_keys_seller_id'), ['seller_id'], unique=False)

    op.create_table('carts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shopper_id', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['shopper_id'], ['shoppers.id'], name=op.f('fk_carts_shopper_id_shoppers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_carts')),
    sa.UniqueConstraint('shopper_id', name=op.f('uq_carts_shopper_id'))
    )
    op.create_table('devices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shopper_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['shopper_id'], ['shoppers.id'], name=op.f('fk_devices_shopper_id_shoppers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_devices')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_devices_token_hash'))
    )
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_devices_shopper_id'), ['shopper_id'], unique=False)

    op.create_table('orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shopper_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('idempotency_key', sa.String(length=128), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('total >= 0', name=op.f('ck_orders_total_nonneg')),
    sa.ForeignKeyConstraint(['shopper_id'], ['shoppers.id'], name=op.f('fk_orders_shopper_id_shoppers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_orders_idempotency_key'))
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_created', ['created_at'], unique=False)
        batch_op.create_index('ix_orders_shopper_created', ['shopper_id', 'created_at'], unique=False)

    op.create_table('products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.String(length=64), nullable=False),
    sa.Column('type_key', sa.String(length=64), nullable=False),
    sa.Column('name_en', sa.String(length=300), nullable=False),
    sa.Column('name_ko', sa.String(length=300), nullable=False),
    sa.Column('brand', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Float(), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('price', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('stock', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('external_id', sa.String(length=64), nullable=True),
    sa.Column('attributes', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('price >= 0', name=op.f('ck_products_price_nonneg')),
    sa.CheckConstraint('size > 0', name=op.f('ck_products_size_pos')),
    sa.CheckConstraint('stock >= 0', name=op.f('ck_products_stock_nonneg')),
    sa.ForeignKeyConstraint(['seller_id'], ['sellers.id'], name=op.f('fk_products_seller_id_sellers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_products'))
    )
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_products_brand'), ['brand'], unique=False)
        batch_op.create_index(batch_op.f('ix_products_external_id'), ['external_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_products_seller_id'), ['seller_id'], unique=False)
        batch_op.create_index('ix_products_type_price', ['type_key', 'price'], unique=False)

    op.create_table('ad_keywords',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('keyword', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['ad_campaigns.id'], name=op.f('fk_ad_keywords_campaign_id_ad_campaigns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ad_keywords')),
    sa.UniqueConstraint('campaign_id', 'keyword', name='uq_ad_keywords_campaign_keyword')
    )
    op.create_table('ad_spend',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('keyword', sa.String(length=100), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('cost', sa.Integer(), nullable=False),
    sa.Column('clicks', sa.Integer(), nullable=False),
    sa.CheckConstraint('clicks >= 0', name=op.f('ck_ad_spend_clicks_nonneg')),
    sa.CheckConstraint('cost >= 0', name=op.f('ck_ad_spend_cost_nonneg')),
    sa.ForeignKeyConstraint(['campaign_id'], ['ad_campaigns.id'], name=op.f('fk_ad_spend_campaign_id_ad_campaigns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ad_spend')),
    sa.UniqueConstraint('campaign_id', 'keyword', 'date', name='uq_ad_spend_campaign_keyword_date')
    )
    with op.batch_alter_table('ad_spend', schema=None) as batch_op:
        batch_op.create_index('ix_ad_spend_date', ['date'], unique=False)

    op.create_table('cart_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cart_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('qty', sa.Integer(), nullable=False),
    sa.CheckConstraint('qty > 0', name=op.f('ck_cart_lines_qty_pos')),
    sa.ForeignKeyConstraint(['cart_id'], ['carts.id'], name=op.f('fk_cart_lines_cart_id_carts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_cart_lines_product_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cart_lines')),
    sa.UniqueConstraint('cart_id', 'product_id', name='uq_cart_lines_cart_product')
    )
    op.create_table('order_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.String(length=64), nullable=False),
    sa.Column('qty', sa.Integer(), nullable=False),
    sa.Column('unit_price', sa.Integer(), nullable=False),
    sa.CheckConstraint('qty > 0', name=op.f('ck_order_lines_qty_pos')),
    sa.CheckConstraint('unit_price >= 0', name=op.f('ck_order_lines_unit_price_nonneg')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_lines_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_order_lines_product_id_products')),
    sa.ForeignKeyConstraint(['seller_id'], ['sellers.id'], name=op.f('fk_order_lines_seller_id_sellers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_lines'))
    )
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.create_index('ix_order_lines_product', ['product_id'], unique=False)
        batch_op.create_index('ix_order_lines_seller_order', ['seller_id', 'order_id'], unique=False)
    _append_only_triggers()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS event_log_append_only() CASCADE")
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_order_lines_seller_order')
        batch_op.drop_index('ix_order_lines_product')

    op.drop_table('order_lines')
    op.drop_table('cart_lines')
    with op.batch_alter_table('ad_spend', schema=None) as batch_op:
        batch_op.drop_index('ix_ad_spend_date')

    op.drop_table('ad_spend')
    op.drop_table('ad_keywords')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index('ix_products_type_price')
        batch_op.drop_index(batch_op.f('ix_products_seller_id'))
        batch_op.drop_index(batch_op.f('ix_products_external_id'))
        batch_op.drop_index(batch_op.f('ix_products_brand'))

    op.drop_table('products')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_shopper_created')
        batch_op.drop_index('ix_orders_created')

    op.drop_table('orders')
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_devices_shopper_id'))

    op.drop_table('devices')
    op.drop_table('carts')
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_keys_seller_id'))

    op.drop_table('api_keys')
    with op.batch_alter_table('ad_campaigns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ad_campaigns_seller_id'))

    op.drop_table('ad_campaigns')
    op.drop_table('shoppers')
    op.drop_table('sellers')
    op.drop_table('meta')
    with op.batch_alter_table('event_log', schema=None) as batch_op:
        batch_op.drop_index('ix_event_log_shopper_ts')
        batch_op.drop_index('ix_event_log_seller_kind_ts')
        batch_op.drop_index('ix_event_log_kind_ts')

    op.drop_table('event_log')
