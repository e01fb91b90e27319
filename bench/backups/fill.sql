-- Fills bench_leads with :rows lead-like rows over 25 tenants (run as the cluster admin, which is not subject to RLS).
INSERT INTO tenants (id, slug, name, industry)
SELECT md5('bench-tenant-' || t)::uuid, 'bench-tenant-' || t, 'Bench tenant ' || t,
       (ARRAY['hvac', 'plumbing', 'electrical', 'roofing', 'landscaping'])[1 + t % 5]
FROM generate_series(1, 25) AS t;

INSERT INTO bench_leads
SELECT
    (lpad(to_hex(g), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(g * 7), 12, '0'))::uuid,
    md5('bench-tenant-' || (1 + g % 25))::uuid,
    timestamptz '2026-11-26 00:00:00+00' - (g % 730) * interval '1 day' - (g % 86400) * interval '1 second',
    timestamptz '2026-11-26 00:00:00+00' - (g % 365) * interval '1 day',
    (ARRAY['James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth',
           'William', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Carlos', 'Karen'])[1 + g % 20],
    (ARRAY['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
           'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin'])[1 + (g / 20) % 20],
    'lead' || g || '@' || (ARRAY['example.com', 'mail.test', 'homeowner.example', 'company.test', 'inbox.example'])[1 + g % 5],
    '+1-555-' || lpad((g % 10000000)::text, 7, '0'),
    (ARRAY['Acme Property', 'Summit Realty', 'Oak Street HOA', 'Riverside Dental', 'Blue Sky Cafe', 'Northwind Storage',
           'Greenfield School', 'Harbor Logistics', 'Maple Apartments', 'Pine Medical', 'Cedar Offices', 'Lakeside Church'])[1 + g % 12]
        || ' #' || (g % 997),
    (ARRAY['web_form', 'referral', 'google_ads', 'facebook', 'phone', 'yelp'])[1 + g % 6],
    (ARRAY['new', 'contacted', 'qualified', 'proposal', 'won', 'lost'])[1 + (g * 7) % 6],
    (g * 37) % 101,
    round(((g::bigint * 7919) % 5000000) / 100.0, 2),
    (ARRAY['Denver', 'Austin', 'Phoenix', 'Columbus', 'Charlotte', 'Seattle', 'Nashville', 'Portland', 'Tampa', 'Omaha'])[1 + g % 10],
    (ARRAY['CO', 'TX', 'AZ', 'OH', 'NC', 'WA', 'TN', 'OR', 'FL', 'NE'])[1 + g % 10],
    lpad(((g * 13) % 99999)::text, 5, '0'),
    'Asked for a quote on ' || (ARRAY['a new furnace', 'a leaking water heater', 'panel upgrade', 'roof inspection',
                                      'spring cleanup', 'AC tune-up'])[1 + g % 6]
        || '; best reached ' || (ARRAY['mornings', 'after 5pm', 'weekends', 'by email'])[1 + g % 4]
        || '. Ref ' || md5(g::text)
FROM generate_series(1, :rows) AS g;

VACUUM (ANALYZE) bench_leads;
VACUUM (ANALYZE) tenants;
CHECKPOINT;
