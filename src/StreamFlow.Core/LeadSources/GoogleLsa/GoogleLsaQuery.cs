namespace StreamFlow.Core.LeadSources.GoogleLsa;

/// <summary>
/// The GAQL (Google Ads Query Language) queries the connector sends to GoogleAdsService.Search: text for Google's API,
/// never for PostgreSQL (so SqlHomeTests lists this file as an exception).
/// </summary>
internal static class GoogleLsaQuery
{
    private const string Fields = "local_services_lead.resource_name, local_services_lead.id, local_services_lead.category_id, local_services_lead.service_id, "
        + "local_services_lead.contact_details, local_services_lead.lead_type, local_services_lead.lead_status, local_services_lead.creation_date_time, "
        + "local_services_lead.locale, local_services_lead.note.description, local_services_lead.lead_charged, local_services_lead.credit_details.credit_state, "
        + "local_services_lead.credit_details.credit_state_last_update_date_time, local_services_lead.lead_feedback_submitted";

    private const string ConversationFields = "local_services_lead_conversation.resource_name, local_services_lead_conversation.id, "
        + "local_services_lead_conversation.conversation_channel, local_services_lead_conversation.participant_type, local_services_lead_conversation.lead, "
        + "local_services_lead_conversation.event_date_time, local_services_lead_conversation.phone_call_details.call_duration_millis, "
        + "local_services_lead_conversation.phone_call_details.call_recording_url, local_services_lead_conversation.message_details.text, "
        + "local_services_lead_conversation.message_details.attachment_urls";

    /// <summary>One row: do the token, developer token and customer work?</summary>
    public const string Probe = "SELECT local_services_lead.id FROM local_services_lead LIMIT 1";

    /// <summary>The leads created on or after the day (in the account's time zone), oldest first.</summary>
    public static string LeadsCreatedSince(DateOnly from) =>
        $"SELECT {Fields} FROM local_services_lead WHERE local_services_lead.creation_date_time >= '{from:yyyy-MM-dd} 00:00:00' "
        + "ORDER BY local_services_lead.creation_date_time ASC";

    /// <summary>The conversations (calls, messages, bookings) of Local Services leads from the day on (account time zone), oldest first.</summary>
    public static string ConversationsSince(DateOnly from) =>
        $"SELECT {ConversationFields} FROM local_services_lead_conversation WHERE local_services_lead_conversation.event_date_time >= '{from:yyyy-MM-dd} 00:00:00' "
        + "ORDER BY local_services_lead_conversation.event_date_time ASC";
}
