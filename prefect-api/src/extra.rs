//! Hand-written operations, for requests the generated types cannot express.
//!
//! `PATCH /deployments/{id}` applies exactly the fields it is sent. The generated
//! `DeploymentUpdate` always sends `paused` (its schema defaults it to `false`, so an update of
//! the description would resume a paused deployment), and it cannot send an empty tag list or a
//! `null` concurrency limit (which clear them). This call sends a JSON object as given, through
//! the same hooks (retries, size limit, tracing) and error mapping as the generated ones.

use progenitor_client::{
    encode_path, ClientHooks, ClientInfo, Error, OperationInfo, ResponseValue,
};
use serde_json::{Map, Value};

use crate::generated::Client;

impl Client {
    /// `PATCH /deployments/{id}` with exactly `fields` (Prefect answers 204).
    pub async fn patch_deployment_fields(
        &self,
        id: &uuid::Uuid,
        fields: &Map<String, Value>,
    ) -> Result<ResponseValue<()>, Error<()>> {
        let url = format!(
            "{}/deployments/{}",
            self.baseurl(),
            encode_path(&id.to_string())
        );
        let mut request = self.client().patch(url).json(fields).build()?;
        let info = OperationInfo {
            operation_id: "update_deployment",
        };
        self.pre(&mut request, &info).await?;
        let result = self.exec(request, &info).await;
        self.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            200..=299 => Ok(ResponseValue::empty(response)),
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
}
