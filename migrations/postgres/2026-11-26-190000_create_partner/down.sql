DROP TABLE partner_marriages;
DROP TABLE partner_notifications;
DROP TABLE partner_nonces;
