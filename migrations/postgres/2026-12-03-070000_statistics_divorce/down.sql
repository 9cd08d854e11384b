DROP TRIGGER statistics_divorce_party ON divorce_parties;
DROP TRIGGER statistics_divorce ON divorce_applications;
DROP FUNCTION statistics_mark_divorce();
